using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Rnn.Fast.Tests.Interop;

/// <summary>
/// Builds safetensors files the way the tests need them, valid or not: the header JSON is written by hand from
/// the entries (no code shared with the library's writer), and every field can be forged.
/// </summary>
public static class SafetensorsBytes
{
    /// <summary>One entry of a hand-built file; <see cref="Offsets"/> null means "where the data lands".</summary>
    public sealed record Entry(string Name, string DataType, long[] Shape, byte[] Data, long[]? Offsets = null, string? Extra = null);

    /// <summary>
    /// The file: 8-byte length, the header (metadata first, then the entries in the given order, with their data laid
    /// out in that order), spaces to <paramref name="padTo"/>, then the data.
    /// </summary>
    public static byte[] Build(IReadOnlyList<Entry> entries, IReadOnlyDictionary<string, string>? metadata = null, int padTo = 8, string? rawMetadata = null)
    {
        var json = new StringBuilder("{");
        if (rawMetadata is not null) json.Append("\"__metadata__\":").Append(rawMetadata).Append(',');
        if (metadata is not null)
        {
            json.Append("\"__metadata__\":{");
            json.Append(string.Join(",", metadata.Select(m => $"{Quote(m.Key)}:{Quote(m.Value)}")));
            json.Append("},");
        }

        long offset = 0;
        var parts = new List<string>();
        foreach (Entry entry in entries)
        {
            long[] offsets = entry.Offsets ?? [offset, offset + entry.Data.Length];
            offset += entry.Data.Length;
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"{Quote(entry.Name)}:{{\"dtype\":{Quote(entry.DataType)},\"shape\":[{string.Join(",", entry.Shape)}],\"data_offsets\":[{offsets[0]},{offsets[1]}]{entry.Extra}}}"));
        }

        json.Append(string.Join(",", parts)).Append('}');
        byte[] header = Encoding.UTF8.GetBytes(json.ToString());
        return Assemble(header, entries.SelectMany(e => e.Data).ToArray(), padTo);
    }

    /// <summary>8-byte length, <paramref name="header"/> padded with spaces to a multiple of <paramref name="padTo"/>, then <paramref name="data"/>.</summary>
    public static byte[] Assemble(byte[] header, byte[] data, int padTo = 8)
    {
        int padding = (padTo - header.Length % padTo) % padTo;
        var file = new byte[8 + header.Length + padding + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)(header.Length + padding));
        header.CopyTo(file, 8);
        file.AsSpan(8 + header.Length, padding).Fill((byte)' ');
        data.CopyTo(file, 8 + header.Length + padding);
        return file;
    }

    /// <summary>A model's state_dict entries (F32, rnn. and fc.), with values from <paramref name="parameters"/> in our layout.</summary>
    public static List<Entry> ModelEntries(RnnShape shape, ReadOnlySpan<float> parameters, string rnn = "rnn.", string head = "fc.")
    {
        int d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize;
        return
        [
            new(rnn + "weight_ih_l0", "F32", [h, d], Floats(Transposed(shape.Wxh(parameters), d, h))),
            new(rnn + "weight_hh_l0", "F32", [h, h], Floats(Transposed(shape.Whh(parameters), h, h))),
            new(rnn + "bias_ih_l0", "F32", [h], Floats(shape.Bh(parameters).ToArray())),
            new(rnn + "bias_hh_l0", "F32", [h], Floats(new float[h])),
            new(head + "weight", "F32", [o, h], Floats(Transposed(shape.Who(parameters), h, o))),
            new(head + "bias", "F32", [o], Floats(shape.Bo(parameters).ToArray())),
        ];
    }

    /// <summary>Little-endian float32 bytes.</summary>
    public static byte[] Floats(float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    /// <summary>A JSON string literal (quotes and backslashes escaped; the tests' names need nothing more).</summary>
    public static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static float[] Transposed(ReadOnlySpan<float> source, int rows, int columns)
    {
        var result = new float[source.Length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < columns; c++) result[c * rows + r] = source[r * columns + c];
        return result;
    }
}
