namespace Rnn.Fast.Onnx;

/// <summary>How <see cref="OnnxExporter"/> writes a model: the opset, which steps the output O covers, and whether
/// the graph takes the initial hidden state as an input.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The version of the standard operator set the graph uses: <see cref="OnnxExporter.MinimumOpset"/> to
    /// <see cref="OnnxExporter.MaximumOpset"/>; <see cref="OnnxExporter.DefaultOpset"/> unless set.</summary>
    public int Opset { get; init; } = OnnxExporter.DefaultOpset;

    /// <summary>Whether O is the last step's output <c>[n, o]</c> (the default) or every step's <c>[T, n, o]</c>.</summary>
    public OutputSteps OutputSteps { get; init; } = OutputSteps.LastStep;

    /// <summary>Whether the graph has the input <see cref="OnnxExporter.InitialHiddenName"/> <c>[1, n, h]</c> for H_0
    /// (to carry the state across calls, feed each call's Y_h back into it). Without it H_0 = 0. Off unless set.</summary>
    public bool InitialHiddenInput { get; init; }
}
