namespace Rnn.Fast.Onnx;

/// <summary>What a graph output of an imported model holds.</summary>
public enum OnnxOutputRole
{
    /// <summary>The model's output O: the output layer's result (or, for a graph without one, the hidden state the
    /// graph returns first, which the imported model reproduces with Who = I and bo = 0).</summary>
    ModelOutput = 0,

    /// <summary>A hidden state the graph also returns (H_T, or every H_t); an <see cref="RnnWorkspace"/> gives it with
    /// <see cref="RnnWorkspace.CopyHiddenState(int, Span{float})"/>.</summary>
    HiddenState = 1,
}
