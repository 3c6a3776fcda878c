using System.Buffers.Binary;

namespace Rnn.Fast.Interop;

/// <summary>
/// The element types (dtypes) the safetensors format names, their sizes, and the conversion of the floating-point
/// ones to float32.
/// </summary>
/// <remarks>
/// Conversions to float32: <c>F32</c> is copied bit for bit (NaN payloads, −0 and subnormals included);
/// <c>F64</c> is rounded to the nearest float32, ties to even (IEEE 754's default, what torch's
/// <c>.to(torch.float32)</c> does), so values beyond float32's range become ±∞ and tiny ones float32 subnormals or
/// ±0; <c>F16</c> and <c>BF16</c> widen exactly (every half and bfloat16 value is a float32). NaN stays NaN in every
/// conversion; its payload and sign are not promised for F64 and F16.
/// </remarks>
internal static class SafetensorsDataTypes
{
    /// <summary>
    /// Bits per element of every dtype the format defines (0 for a name it does not define): the 8-, 16-, 32- and
    /// 64-bit integer, float and bool types, the 8-bit float formats, and the 4- and 6-bit ones whose tensors must
    /// fill whole bytes.
    /// </summary>
    public static int BitsPerElement(string dataType) => dataType switch
    {
        "BOOL" or "U8" or "I8" or "F8_E5M2" or "F8_E4M3" or "F8_E8M0" => 8,
        "I16" or "U16" or "F16" or "BF16" => 16,
        "I32" or "U32" or "F32" => 32,
        "I64" or "U64" or "F64" or "C64" => 64,
        "F4" => 4,
        "F6_E2M3" or "F6_E3M2" => 6,
        _ => 0,
    };

    /// <summary>Whether <see cref="ConvertToSingle"/> converts this dtype: F32, F64, F16 or BF16.</summary>
    public static bool IsConvertibleToSingle(string dataType) => dataType is "F32" or "F64" or "F16" or "BF16";

    /// <summary>Bytes per element of a dtype <see cref="IsConvertibleToSingle"/> accepts.</summary>
    public static int ConvertibleElementSize(string dataType) => BitsPerElement(dataType) / 8;

    /// <summary>
    /// Converts little-endian elements of <paramref name="dataType"/> to float32 (see the remarks of
    /// <see cref="SafetensorsDataTypes"/> for the rounding).
    /// </summary>
    /// <param name="dataType">F32, F64, F16 or BF16.</param>
    /// <param name="source">destination.Length elements, little-endian.</param>
    /// <param name="destination">The converted values.</param>
    public static void ConvertToSingle(string dataType, ReadOnlySpan<byte> source, Span<float> destination)
    {
        switch (dataType)
        {
            case "F32":
                // Reinterpreted, never computed with: signalling NaNs keep their bits.
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
                break;
            case "F64":
                // The double-to-float conversion rounds to nearest, ties to even.
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(source[(8 * i)..]);
                break;
            case "F16":
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(2 * i)..]);
                break;
            case "BF16":
                // bfloat16 is the upper half of a float32: shifting it up is the exact widening.
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]) << 16);
                }

                break;
            default:
                throw new ArgumentException($"dtype {dataType} does not convert to float32.", nameof(dataType));
        }
    }
}
