namespace Rnn.Fast.Interop;

/// <summary>One tensor of a safetensors header: its name, dtype, shape and where its bytes lie in the data section.</summary>
/// <param name="Name">The key, e.g. <c>rnn.weight_ih_l0</c>.</param>
/// <param name="DataType">The dtype as the file spells it, e.g. <c>F32</c>.</param>
/// <param name="Shape">The dimensions, each at least 0; empty for a scalar.</param>
/// <param name="ElementCount">The product of the dimensions (1 for a scalar).</param>
/// <param name="Begin">The first byte, relative to the start of the data section.</param>
/// <param name="End">One past the last byte: End − Begin is the tensor's size in bytes.</param>
internal sealed record SafetensorsEntry(string Name, string DataType, long[] Shape, long ElementCount, long Begin, long End)
{
    /// <summary>End − Begin.</summary>
    public long ByteLength => End - Begin;

    /// <summary>The shape as PyTorch prints it, e.g. <c>[20, 3]</c>.</summary>
    public string ShapeText => $"[{string.Join(", ", Shape)}]";

    /// <summary>The public description of this tensor, from <paramref name="file"/> (null for a stream).</summary>
    public SafetensorsTensorInfo ToInfo(string? file) => new(Name, DataType, Array.AsReadOnly(Shape), file);
}
