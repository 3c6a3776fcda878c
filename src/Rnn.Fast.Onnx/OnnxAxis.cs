namespace Rnn.Fast.Onnx;

/// <summary>What one axis of a graph input or output holds, as the importer traced it through the graph.</summary>
public enum OnnxAxis
{
    /// <summary>The time axis: T steps.</summary>
    Time = 0,

    /// <summary>The batch axis: n sequences.</summary>
    Batch = 1,

    /// <summary>The features: d for the input, h for a hidden state, o for the output.</summary>
    Feature = 2,

    /// <summary>The RNN operator's direction axis, of size 1 (one forward direction).</summary>
    Direction = 3,

    /// <summary>An axis of size 1 that an Unsqueeze or Reshape inserted.</summary>
    Unit = 4,
}
