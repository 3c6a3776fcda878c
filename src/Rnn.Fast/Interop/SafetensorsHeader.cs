using System.Text;
using System.Text.Json;

namespace Rnn.Fast.Interop;

/// <summary>
/// The parsed JSON header of a safetensors file: every tensor entry in the order the file lists them, the
/// <c>__metadata__</c> strings, and the length of the data section the entries tile.
/// </summary>
/// <remarks>
/// <para>Parsing uses <see cref="Utf8JsonReader"/> (no reflection, so trimming and NativeAOT keep it working) and
/// checks what the format requires: the header starts with <c>{</c>, is valid UTF-8 and one JSON object (trailing
/// spaces allowed, nothing else after it); no key appears twice, at the top level or inside an entry; each entry
/// is an object with a known <c>dtype</c> string, a <c>shape</c> array of integers ≥ 0 and <c>data_offsets</c>,
/// two integers [begin, end) (members it does not know are skipped, as the format's reference reader does);
/// <c>__metadata__</c>, when present and not null, maps strings to strings. The element count (the product of the
/// dimensions, multiplied in order) and the byte size must fit in 63 bits; each entry's offsets must span exactly
/// its byte size; and the entries, sorted by offset, must tile the data section from 0 without a gap or an
/// overlap, as the format requires.</para>
/// </remarks>
internal sealed class SafetensorsHeader
{
    /// <summary>The key of the metadata object.</summary>
    public const string MetadataKey = "__metadata__";

    private SafetensorsHeader(List<SafetensorsEntry> entries, Dictionary<string, string> metadata, long dataLength)
    {
        Entries = entries;
        Metadata = metadata;
        DataLength = dataLength;
        var byName = new Dictionary<string, SafetensorsEntry>(entries.Count, StringComparer.Ordinal);
        foreach (SafetensorsEntry entry in entries) byName.Add(entry.Name, entry);
        ByName = byName;
    }

    /// <summary>Every tensor, in the order the header lists them.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }

    /// <summary>Every tensor by name.</summary>
    public IReadOnlyDictionary<string, SafetensorsEntry> ByName { get; }

    /// <summary>The <c>__metadata__</c> strings (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The length of the data section: the end of the last tensor.</summary>
    public long DataLength { get; }

    /// <summary>Parses and checks a header (the N bytes after the 8-byte length).</summary>
    /// <param name="json">The header bytes.</param>
    /// <param name="path">The file, for messages; null for a stream.</param>
    /// <exception cref="InvalidModelFileException">The header breaks a rule (see the remarks).</exception>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> json, string? path)
    {
        if (json.IsEmpty || json[0] != (byte)'{')
        {
            string found = json.IsEmpty ? "an empty header" : $"byte 0x{json[0]:X2}";
            throw SafetensorsErrors.Invalid(path, $"invalid header: a safetensors header is a JSON object and starts with '{{', but the file has {found}.");
        }

        int invalidByte = FirstInvalidUtf8Byte(json);
        if (invalidByte >= 0)
        {
            throw SafetensorsErrors.Invalid(path, $"invalid header: byte {invalidByte} of the JSON header (0x{json[invalidByte]:X2}) is not valid UTF-8.");
        }

        var entries = new List<SafetensorsEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            reader.Read(); // the '{' checked above
            var keys = new HashSet<string>(StringComparer.Ordinal);
            while (Next(ref reader, path) != JsonTokenType.EndObject)
            {
                string key = reader.GetString()!;
                if (!keys.Add(key)) throw SafetensorsErrors.Invalid(path, $"invalid header: the key '{key}' appears twice.");
                JsonTokenType value = Next(ref reader, path);
                if (key == MetadataKey)
                {
                    ReadMetadata(ref reader, value, metadata, path);
                }
                else
                {
                    entries.Add(ReadEntry(ref reader, value, key, path));
                }
            }

            // Nothing but whitespace may follow the object (the reader throws on anything else).
            if (reader.Read())
            {
                throw SafetensorsErrors.Invalid(path, "invalid header: data follows the JSON object inside the header.");
            }
        }
        catch (JsonException error)
        {
            throw SafetensorsErrors.Invalid(path, $"invalid header: the JSON is malformed ({error.Message})", error);
        }
        catch (InvalidOperationException error)
        {
            // GetString on an escape that is not valid UTF-16 (a lone surrogate, \ud800).
            throw SafetensorsErrors.Invalid(path, $"invalid header: a JSON string is not valid text ({error.Message})", error);
        }

        long dataLength = CheckTiling(entries, path);
        return new SafetensorsHeader(entries, metadata, dataLength);
    }

    /// <summary>Advances to the next token, which must exist (the header is one complete object).</summary>
    private static JsonTokenType Next(ref Utf8JsonReader reader, string? path)
    {
        if (!reader.Read()) throw SafetensorsErrors.Invalid(path, "invalid header: the JSON object is not closed.");
        return reader.TokenType;
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, JsonTokenType token, Dictionary<string, string> metadata, string? path)
    {
        if (token == JsonTokenType.Null) return;
        if (token != JsonTokenType.StartObject)
        {
            throw SafetensorsErrors.Invalid(path, $"invalid header: '{MetadataKey}' must be an object of strings, not {Describe(token)}.");
        }

        while (Next(ref reader, path) != JsonTokenType.EndObject)
        {
            string key = reader.GetString()!;
            if (Next(ref reader, path) != JsonTokenType.String)
            {
                throw SafetensorsErrors.Invalid(path, $"invalid header: '{MetadataKey}' entry '{key}' must be a string, not {Describe(reader.TokenType)}.");
            }

            if (!metadata.TryAdd(key, reader.GetString()!))
            {
                throw SafetensorsErrors.Invalid(path, $"invalid header: the key '{key}' appears twice in '{MetadataKey}'.");
            }
        }
    }

    private static SafetensorsEntry ReadEntry(ref Utf8JsonReader reader, JsonTokenType token, string name, string? path)
    {
        if (token != JsonTokenType.StartObject)
        {
            throw SafetensorsErrors.Invalid(path, $"invalid header: tensor '{name}' must be an object with dtype, shape and data_offsets, not {Describe(token)}.");
        }

        string? dataType = null;
        List<ulong>? shape = null, offsets = null;
        while (Next(ref reader, path) != JsonTokenType.EndObject)
        {
            string member = reader.GetString()!;
            JsonTokenType value = Next(ref reader, path);
            switch (member)
            {
                case "dtype":
                    if (dataType is not null) throw Duplicate(name, member, path);
                    if (value != JsonTokenType.String) throw Malformed(name, "dtype must be a string", value, path);
                    dataType = reader.GetString()!;
                    break;
                case "shape":
                    if (shape is not null) throw Duplicate(name, member, path);
                    shape = ReadIntegers(ref reader, value, name, member, path);
                    break;
                case "data_offsets":
                    if (offsets is not null) throw Duplicate(name, member, path);
                    offsets = ReadIntegers(ref reader, value, name, member, path);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (dataType is null || shape is null || offsets is null)
        {
            string missing = dataType is null ? "dtype" : shape is null ? "shape" : "data_offsets";
            throw SafetensorsErrors.Invalid(path, $"invalid header: tensor '{name}' has no {missing}.");
        }

        int bits = SafetensorsDataTypes.BitsPerElement(dataType);
        if (bits == 0)
        {
            throw SafetensorsErrors.Invalid(path, $"invalid header: tensor '{name}' has dtype '{dataType}', which the safetensors format does not define.");
        }

        if (offsets.Count != 2)
        {
            throw SafetensorsErrors.Invalid(path, $"invalid header: tensor '{name}' has {offsets.Count} data_offsets; expected two, [begin, end).");
        }

        // Multiplied in order with an overflow check at every step, as the reference reader does: a shape whose
        // product overflows is refused even when a later dimension is 0.
        ulong count = 1;
        foreach (ulong dimension in shape)
        {
            if (dimension > long.MaxValue || (dimension != 0 && count > long.MaxValue / dimension))
            {
                throw SafetensorsErrors.Invalid(path, $"shape overflow: tensor '{name}' has shape [{string.Join(", ", shape)}], whose element count does not fit in 63 bits.");
            }

            count *= dimension;
        }

        UInt128 totalBits = (UInt128)count * (uint)bits;
        if (totalBits % 8 != 0 || totalBits / 8 > long.MaxValue)
        {
            throw SafetensorsErrors.Invalid(path, totalBits % 8 != 0
                ? $"invalid offsets: tensor '{name}' ({count} elements of {bits}-bit {dataType}) does not fill whole bytes."
                : $"shape overflow: tensor '{name}' has shape [{string.Join(", ", shape)}], whose size in bytes does not fit in 63 bits.");
        }

        long bytes = (long)(totalBits / 8);
        ulong begin = offsets[0], end = offsets[1];
        if (begin > end || end - begin != (ulong)bytes)
        {
            throw SafetensorsErrors.Invalid(path, $"invalid offsets: tensor '{name}' ({dataType}, shape [{string.Join(", ", shape)}]) holds {bytes} bytes, but its data_offsets are [{begin}, {end}).");
        }

        if (end > long.MaxValue)
        {
            throw SafetensorsErrors.Invalid(path, $"invalid offsets: tensor '{name}' ends at byte {end}, beyond any file.");
        }

        long[] dimensions = new long[shape.Count];
        for (int i = 0; i < dimensions.Length; i++) dimensions[i] = (long)shape[i];
        return new SafetensorsEntry(name, dataType, dimensions, (long)count, (long)begin, (long)end);
    }

    private static List<ulong> ReadIntegers(ref Utf8JsonReader reader, JsonTokenType token, string name, string member, string? path)
    {
        if (token != JsonTokenType.StartArray) throw Malformed(name, $"{member} must be an array of integers", token, path);
        var values = new List<ulong>();
        while (Next(ref reader, path) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out ulong value))
            {
                throw SafetensorsErrors.Invalid(path, $"invalid header: tensor '{name}': {member} must hold integers from 0 to 2^64 − 1, but holds {Describe(reader.TokenType)} {Encoding.UTF8.GetString(reader.ValueSpan)}.");
            }

            values.Add(value);
        }

        return values;
    }

    /// <summary>
    /// Checks that the entries, in offset order, tile [0, end) without a gap or an overlap, and returns end. Entries
    /// of zero bytes may sit anywhere inside or at the end of the tiling.
    /// </summary>
    private static long CheckTiling(List<SafetensorsEntry> entries, string? path)
    {
        SafetensorsEntry[] ordered = [.. entries];
        Array.Sort(ordered, static (a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        string? previous = null;
        foreach (SafetensorsEntry entry in ordered)
        {
            if (entry.Begin != expected)
            {
                string what = entry.Begin < expected ? "overlaps" : "leaves a gap after";
                string before = previous is null ? "the start of the data section" : $"tensor '{previous}', which ends at byte {expected}";
                throw SafetensorsErrors.Invalid(path, $"invalid offsets: tensor '{entry.Name}' begins at byte {entry.Begin} and {what} {before}; tensors must tile the data section without gaps or overlaps.");
            }

            expected = entry.End;
            if (entry.ByteLength > 0) previous = entry.Name;
        }

        return expected;
    }

    /// <summary>The offset of the first byte that does not start a valid UTF-8 sequence, or −1.</summary>
    private static int FirstInvalidUtf8Byte(ReadOnlySpan<byte> bytes)
    {
        int offset = 0;
        while (offset < bytes.Length)
        {
            if (bytes[offset] < 0x80)
            {
                offset++;
                continue;
            }

            if (Rune.DecodeFromUtf8(bytes[offset..], out _, out int consumed) != System.Buffers.OperationStatus.Done) return offset;
            offset += consumed;
        }

        return -1;
    }

    private static InvalidModelFileException Duplicate(string name, string member, string? path) =>
        SafetensorsErrors.Invalid(path, $"invalid header: tensor '{name}' has '{member}' twice.");

    private static InvalidModelFileException Malformed(string name, string rule, JsonTokenType found, string? path) =>
        SafetensorsErrors.Invalid(path, $"invalid header: tensor '{name}': {rule}, not {Describe(found)}.");

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
