namespace Rnn.Fast.Interop;

/// <summary>One tensor an import used, and where its values went.</summary>
/// <param name="Tensor">The tensor as the file describes it.</param>
/// <param name="Target">The part of the parameter buffer it fills.</param>
/// <param name="Transposed">Whether it was transposed on the way (PyTorch stores weights out×in, Rnn.Fast in×out).</param>
/// <param name="Conversion">How its values became float32: <c>copied</c> (F32, bit for bit), <c>rounded to nearest
/// even</c> (F64) or <c>widened exactly</c> (F16, BF16).</param>
public sealed record ImportedTensor(SafetensorsTensorInfo Tensor, RnnParameter Target, bool Transposed, string Conversion)
{
    /// <summary>One line: the tensor, where it went, and how, e.g. <c>rnn.weight_ih_l0 F32 [20, 3] → Wxh, transposed, copied</c>.</summary>
    public override string ToString() => $"{Tensor} → {Target}{(Transposed ? ", transposed" : "")}, {Conversion}";
}
