namespace Rnn.Fast.Onnx;

/// <summary>How a graph's sequence input (or every-step output) orders its time and batch axes.</summary>
public enum OnnxSequenceLayout
{
    /// <summary><c>[T, n, features]</c>: time first, as Rnn.Fast's own buffers (and nn.RNN with batch_first=False).</summary>
    TimeMajor = 0,

    /// <summary><c>[n, T, features]</c>: batch first (nn.RNN with batch_first=True, or the RNN operator's layout 1).
    /// Rnn.Fast's engine reads time-major buffers: transpose the inputs before a forward pass, and the outputs after it.</summary>
    BatchMajor = 1,
}
