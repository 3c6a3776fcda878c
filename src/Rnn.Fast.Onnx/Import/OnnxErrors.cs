using Rnn.Fast.Onnx.Protobuf;

namespace Rnn.Fast.Onnx.Import;

/// <summary>
/// Builds <see cref="InvalidOnnxModelException"/>s whose message reads "path: where: problem: what was expected and
/// found", with the same parts in the exception's properties.
/// </summary>
internal static class OnnxErrors
{
    /// <summary>A problem of the file as a whole (its bytes, its size, its opset).</summary>
    public static InvalidOnnxModelException File(string? path, OnnxModelProblem problem, string text, Exception? inner = null) =>
        new(problem, Prefix(path) + text, path, nodeName: null, operatorType: null, tensorName: null, inner);

    /// <summary>A problem in a node; <paramref name="tensorName"/> names the tensor involved, if any.</summary>
    public static InvalidOnnxModelException Node(string? path, NodeProto node, int index, OnnxModelProblem problem, string text,
        string? tensorName = null) =>
        new(problem, $"{Prefix(path)}{Describe(node, index)}: {text}", path, node.Name, node.OpType, tensorName, innerException: null);

    /// <summary>A problem of a tensor, graph input or graph output outside any one node.</summary>
    public static InvalidOnnxModelException Tensor(string? path, string what, string tensorName, OnnxModelProblem problem, string text) =>
        new(problem, $"{Prefix(path)}{what}: {text}", path, nodeName: null, operatorType: null, tensorName, innerException: null);

    /// <summary>"node 'name' (Op)", or "node #index (Op)" for a node without a name.</summary>
    public static string Describe(NodeProto node, int index) =>
        node.Name.Length > 0 ? $"node '{node.Name}' ({node.OpType})" : $"node #{index} ({node.OpType})";

    /// <summary>A shape as the messages write it: [1, 20, 3].</summary>
    public static string Shape(IEnumerable<long> dimensions) => $"[{string.Join(", ", dimensions)}]";

    private static string Prefix(string? path) => path is null ? "" : $"{path}: ";
}
