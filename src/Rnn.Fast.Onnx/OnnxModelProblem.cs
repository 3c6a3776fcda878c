namespace Rnn.Fast.Onnx;

/// <summary>The kinds of problem <see cref="InvalidOnnxModelException"/> reports; each message names its kind.</summary>
public enum OnnxModelProblem
{
    /// <summary>Not set: the exception was created by one of its public constructors.</summary>
    Unspecified = 0,

    /// <summary><c>malformed</c>: the bytes are not a valid ONNX protobuf (truncated, forged lengths, wrong wire
    /// types), or a field the format requires is missing or inconsistent (no graph, a node output defined twice).</summary>
    Malformed = 1,

    /// <summary><c>too large</c>: the file is larger than a protobuf message may be (2 GiB), or the model's
    /// parameters would not fit in one buffer.</summary>
    TooLarge = 2,

    /// <summary><c>unsupported opset</c>: the file does not import the standard operator set at a version this
    /// library reads.</summary>
    UnsupportedOpset = 3,

    /// <summary><c>unsupported operator</c>: a node runs an operator the importer does not accept (LSTM, GRU, any
    /// operator outside the RNN, its output layer and the plumbing around them, or one from another domain).</summary>
    UnsupportedOperator = 4,

    /// <summary><c>unsupported attribute</c>: a node's attribute asks for something else than an Elman RNN computes
    /// (direction reverse or bidirectional, an activation other than tanh, clip, an unknown attribute).</summary>
    UnsupportedAttribute = 5,

    /// <summary><c>unsupported graph</c>: the nodes are all accepted but do not compute one Elman RNN with an optional
    /// output layer: several RNN nodes or output layers, weights computed at run time, a non-zero constant initial
    /// state, a Transpose or Reshape that moves the features, another graph input, and the like.</summary>
    UnsupportedGraph = 6,

    /// <summary><c>missing value</c>: a node reads a value that no initializer, graph input or earlier node defines.</summary>
    MissingValue = 7,

    /// <summary><c>wrong shape</c>: a tensor or a declared input or output has other dimensions than the graph needs.</summary>
    WrongShape = 8,

    /// <summary><c>wrong data type</c>: a tensor or a declared input or output has another element type than the graph
    /// needs (the RNN's values must be float32).</summary>
    WrongDataType = 9,

    /// <summary><c>invalid tensor data</c>: a tensor's data does not match its shape, is stored in an external file or
    /// in segments, or is missing.</summary>
    InvalidTensorData = 10,
}
