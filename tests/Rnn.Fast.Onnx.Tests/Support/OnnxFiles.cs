using Google.Protobuf;
using Rnn.Fast.Onnx.Protobuf;

namespace Rnn.Fast.Onnx.Tests.Support;

/// <summary>Reading, changing and importing ONNX files in tests.</summary>
internal static class OnnxFiles
{
    /// <summary>Parses an ONNX file with this library's own messages, to change it.</summary>
    public static ModelProto Parse(byte[] bytes) => ModelProto.Parser.ParseFrom(bytes);

    /// <summary>A fixture's ModelProto.</summary>
    public static ModelProto Fixture(string name) => Parse(File.ReadAllBytes(PyTorchFixtures.File(name)));

    public static byte[] Bytes(ModelProto model) => model.ToByteArray();

    /// <summary>Imports from a seekable in-memory stream.</summary>
    public static OnnxImportResult Import(byte[] bytes) => OnnxImporter.Import(new MemoryStream(bytes, writable: false));

    public static OnnxImportResult Import(ModelProto model) => Import(Bytes(model));

    /// <summary>The export of <paramref name="model"/> as bytes.</summary>
    public static byte[] Export(RnnModel model, OnnxExportOptions options)
    {
        using var stream = new MemoryStream();
        OnnxExporter.Export(model, stream, options);
        return stream.ToArray();
    }

    /// <summary>A node of the graph by its op type (the first one).</summary>
    public static NodeProto NodeOf(ModelProto model, string opType) => model.Graph.Node.First(n => n.OpType == opType);

    /// <summary>An initializer by name.</summary>
    public static TensorProto InitializerOf(ModelProto model, string name) => model.Graph.Initializer.Single(t => t.Name == name);
}
