namespace Rnn.Fast.Onnx;

/// <summary>
/// The file given to <see cref="OnnxImporter"/> is not an ONNX model this library can import exactly: the bytes are
/// not a valid ONNX protobuf, a tensor or value the graph needs is missing or has the wrong shape or element type, or
/// the graph computes something other than one Elman RNN (an ONNX <c>RNN</c> node, forward, tanh, no clip) with an
/// optional linear output layer. No model is returned; nothing is imported halfway.
/// </summary>
/// <remarks>
/// <para>The message starts with the file's path (when a path was given), then where the problem is — the node by
/// its name and operator (<c>node '/rnn/RNN' (RNN)</c>), the tensor by its name, or the graph input or output — then
/// the problem's name as <see cref="Problem"/> gives it (<c>unsupported operator</c>, <c>wrong shape</c>, …), and
/// what was expected against what was found. The same parts are in <see cref="FilePath"/>, <see cref="NodeName"/>,
/// <see cref="OperatorType"/>, <see cref="TensorName"/> and <see cref="Problem"/>.</para>
/// <para>It derives from <see cref="IOException"/>, as <see cref="InvalidModelFileException"/> does, so one
/// <c>catch (IOException)</c> handles a bad file and a failing disk alike. Errors of the stream or the file system
/// themselves (a missing file, a failing read) are not this exception: they pass through as thrown.</para>
/// </remarks>
public sealed class InvalidOnnxModelException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public InvalidOnnxModelException()
        : base("The data is not an ONNX model that Rnn.Fast can import.")
    {
    }

    /// <summary>Creates the exception with a message that says what is wrong.</summary>
    /// <param name="message">What is wrong, with the values found.</param>
    public InvalidOnnxModelException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">What is wrong, with the values found.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidOnnxModelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal InvalidOnnxModelException(OnnxModelProblem problem, string message, string? filePath, string? nodeName,
        string? operatorType, string? tensorName, Exception? innerException)
        : base(message, innerException)
    {
        Problem = problem;
        FilePath = filePath;
        NodeName = nodeName;
        OperatorType = operatorType;
        TensorName = tensorName;
    }

    /// <summary>What kind of problem it is; <see cref="OnnxModelProblem.Unspecified"/> only for an exception created
    /// by one of the public constructors.</summary>
    public OnnxModelProblem Problem { get; }

    /// <summary>The path of the file, when the model was imported from a path; otherwise null.</summary>
    public string? FilePath { get; }

    /// <summary>The name of the node the problem is in (empty for a node without a name), or null when it is not in a node.</summary>
    public string? NodeName { get; }

    /// <summary>The operator (<c>op_type</c>) of that node, or null when the problem is not in a node.</summary>
    public string? OperatorType { get; }

    /// <summary>The name of the tensor, initializer or graph input or output involved, or null when none is.</summary>
    public string? TensorName { get; }
}
