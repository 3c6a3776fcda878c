namespace Rnn.Fast.Onnx;

/// <summary>Where an imported graph's initial hidden state H_0 comes from.</summary>
public enum OnnxInitialState
{
    /// <summary>The RNN node has no initial_h: H_0 = 0.</summary>
    Zero = 0,

    /// <summary>A zero tensor of shape [1, n, h] that the graph builds from the input's batch size (the Shape, Gather,
    /// Unsqueeze, Concat, ConstantOfShape subgraph torch.onnx.export writes): H_0 = 0.</summary>
    ZeroFromBatchSize = 1,

    /// <summary>A constant tensor of zeros: H_0 = 0 (the graph itself then runs only at the batch size it was built for).</summary>
    ZeroConstant = 2,

    /// <summary>A graph input: the caller gives H_0 (<see cref="OnnxImportResult.InitialHiddenInputName"/>).</summary>
    GraphInput = 3,
}
