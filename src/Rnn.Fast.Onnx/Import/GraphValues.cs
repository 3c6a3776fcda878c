using Rnn.Fast.Onnx.Protobuf;

namespace Rnn.Fast.Onnx.Import;

/// <summary>
/// An integer of the graph's shape arithmetic: a number, or the size of one axis of a graph input, known only when
/// the graph runs.
/// </summary>
internal readonly record struct SymbolicInteger(long Value, string? InputName, int InputAxis)
{
    public static SymbolicInteger Known(long value) => new(value, null, -1);

    public static SymbolicInteger AxisOf(string inputName, int axis) => new(0, inputName, axis);

    public bool IsKnown => InputName is null;

    public override string ToString() => IsKnown ? Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{InputName}.shape[{InputAxis}]";
}

/// <summary>What the importer knows about one named value of the graph.</summary>
internal abstract class GraphValue;

/// <summary>
/// A constant tensor: an initializer or a Constant node's output, with the name it was defined under and the Constant
/// node that holds it (null for an initializer).
/// </summary>
internal sealed class ConstantValue(TensorProto tensor, string tensorName, string? constantNode) : GraphValue
{
    public TensorProto Tensor { get; } = tensor;

    public string TensorName { get; } = tensorName;

    public string? ConstantNode { get; } = constantNode;

    /// <summary>"initializer 'x'" or "Constant node 'y' output 'x'".</summary>
    public string Describe() => ConstantNode is null ? $"initializer '{TensorName}'" : $"'{TensorName}' (Constant node '{ConstantNode}')";
}

/// <summary>A sparse initializer: named so that a graph using it gets a clear error.</summary>
internal sealed class SparseValue : GraphValue;

/// <summary>A 1-D integer tensor (or a scalar) of the graph's shape arithmetic, each element symbolic.</summary>
internal sealed class IntegerValue(SymbolicInteger[] items, bool isScalar) : GraphValue
{
    public SymbolicInteger[] Items { get; } = items;

    public bool IsScalar { get; } = isScalar;
}

/// <summary>A graph input, possibly with its axes permuted by Transpose: position k holds the input's axis Axes[k].</summary>
internal sealed class InputValue(string inputName, int[] axes) : GraphValue
{
    public string InputName { get; } = inputName;

    public int[] Axes { get; } = axes;
}

/// <summary>A float tensor of zeros whose dimensions are symbolic: ConstantOfShape's output.</summary>
internal sealed class ZeroStateValue(SymbolicInteger[] dimensions) : GraphValue
{
    public SymbolicInteger[] Dimensions { get; } = dimensions;
}

/// <summary>bo as one value of the graph has it, and where it came from. It belongs to the value, not to the output
/// layer: of two Adds on the same MatMul, only the one whose result is the graph's output gives the model its bo.</summary>
internal sealed record OutputBias(float[] Values, OnnxParameterSource Source);

/// <summary>How far a value derived from the RNN's outputs has come.</summary>
internal enum StateStage
{
    /// <summary>The hidden state (Y or Y_h), rearranged by plumbing at most.</summary>
    Hidden,

    /// <summary>The output layer's product, without its bias yet (MatMul's result).</summary>
    Linear,

    /// <summary>The output layer's complete result (Gemm's, or MatMul's plus an Add).</summary>
    LinearWithBias,
}

/// <summary>
/// A value computed from the RNN's outputs: which stage, which steps, the meaning of each axis, and the last node that
/// permuted or reshaped its axes (for messages; null when none did).
/// </summary>
internal sealed class StateValue(StateStage stage, OnnxAxis[] axes, bool everyStep, string? rearrangedBy, OutputBias? bias = null) : GraphValue
{
    public StateStage Stage { get; } = stage;

    public OnnxAxis[] Axes { get; } = axes;

    public bool EveryStep { get; } = everyStep;

    public string? RearrangedBy { get; } = rearrangedBy;

    /// <summary>The bias this value has had added (Gemm's C, or an Add's constant); null before one is.</summary>
    public OutputBias? Bias { get; } = bias;

    public StateValue With(OnnxAxis[] axes, bool everyStep, string? rearrangedBy) => new(Stage, axes, everyStep, rearrangedBy ?? RearrangedBy, Bias);

    public StateValue With(StateStage stage, OnnxAxis[] axes, OutputBias? bias = null) => new(stage, axes, EveryStep, RearrangedBy, bias ?? Bias);

    /// <summary>"[T, 1, n, h]"-style labels; Feature reads h before the output layer and o after it.</summary>
    public string AxesText() => Label(Axes, Stage != StateStage.Hidden);

    public static string Label(IEnumerable<OnnxAxis> axes, bool output) => "[" + string.Join(", ", axes.Select(a => a switch
    {
        OnnxAxis.Time => "T",
        OnnxAxis.Batch => "n",
        OnnxAxis.Feature => output ? "o" : "h",
        OnnxAxis.Direction => "directions",
        _ => "1",
    })) + "]";
}
