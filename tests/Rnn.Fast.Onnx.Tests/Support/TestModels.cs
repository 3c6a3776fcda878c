namespace Rnn.Fast.Onnx.Tests.Support;

/// <summary>Small models and their exports for tests.</summary>
internal static class TestModels
{
    /// <summary>The export (opset 14, last step) of a seeded d=3, h=5, o=2 model.</summary>
    public static byte[] SmallExport() => OnnxFiles.Export(new RnnModel(new RnnShape(3, 5, 2), 7UL), new OnnxExportOptions());
}
