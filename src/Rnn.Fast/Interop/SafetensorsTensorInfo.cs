namespace Rnn.Fast.Interop;

/// <summary>One tensor of a safetensors file, as its header describes it.</summary>
/// <param name="Name">The key, e.g. <c>rnn.weight_ih_l0</c>.</param>
/// <param name="DataType">The dtype as the file spells it: <c>F32</c>, <c>F64</c>, <c>F16</c>, <c>BF16</c>, <c>I64</c>, …</param>
/// <param name="Shape">The dimensions (empty for a scalar).</param>
/// <param name="File">The file it came from; null when it was read from a stream.</param>
public sealed record SafetensorsTensorInfo(string Name, string DataType, IReadOnlyList<long> Shape, string? File)
{
    /// <summary>The name, dtype and shape as one line, e.g. <c>rnn.weight_ih_l0 F32 [20, 3]</c>.</summary>
    public override string ToString() => $"{Name} {DataType} [{string.Join(", ", Shape)}]";
}
