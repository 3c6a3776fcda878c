namespace Rnn.Fast.Onnx;

/// <summary>Where one of the imported model's parameters (Wxh, Whh, bh, Who, bo) came from in the ONNX file.</summary>
public sealed class OnnxParameterSource
{
    internal OnnxParameterSource(string parameter, string? tensorName, IReadOnlyList<long> dimensions, string mapping)
    {
        Parameter = parameter;
        TensorName = tensorName;
        Dimensions = dimensions;
        Mapping = mapping;
    }

    /// <summary>The parameter: <c>Wxh</c>, <c>Whh</c>, <c>bh</c>, <c>Who</c> or <c>bo</c>.</summary>
    public string Parameter { get; }

    /// <summary>The initializer (or Constant node output) it was read from; null when the graph has none and the
    /// parameter takes its default (zeros, or the identity for a graph without an output layer).</summary>
    public string? TensorName { get; }

    /// <summary>That tensor's dimensions as the file gives them; empty when <see cref="TensorName"/> is null.</summary>
    public IReadOnlyList<long> Dimensions { get; }

    /// <summary>How the tensor became the parameter, in words (for example <c>W[0] transposed</c>, <c>Wb + Rb</c>).</summary>
    public string Mapping { get; }

    /// <inheritdoc/>
    public override string ToString() => TensorName is null
        ? $"{Parameter} = {Mapping}"
        : $"{Parameter} <- '{TensorName}' [{string.Join(", ", Dimensions)}]: {Mapping}";
}
