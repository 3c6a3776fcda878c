using System.Buffers.Binary;
using System.Text;

namespace Rnn.Fast;

/// <summary>
/// One named, typed section of a version-2 model file: a name, a type that says how the payload is encoded
/// (<see cref="ModelFileSectionType"/>), whether a reader that does not understand the section must refuse the file
/// (<see cref="IsRequired"/>), and the payload's bytes. Immutable. The <c>Create…</c> methods encode a payload and the
/// <c>Get…</c> methods decode one; <see cref="RnnModelFile.Save(RnnModel, string, IEnumerable{ModelFileSection})"/>
/// writes sections and <see cref="RnnModelFile.LoadContents(string)"/> reads them back, byte for byte.
/// </summary>
/// <remarks>
/// <para>A name is 1 to 64 characters from <c>a–z</c>, <c>0–9</c>, <c>.</c>, <c>-</c> and <c>_</c>, starting with a
/// letter. The names in <see cref="ModelFileSectionNames"/> have a meaning the format defines; choose names of your
/// own under a prefix of your own (<c>myapp.state</c>), so they never collide with a name a later version defines.</para>
/// <para>A required section tells readers: "without understanding me, the parameters mean something else" (a later
/// activation function, say). This library refuses a file with a required section whose name or type it does not
/// know. Data a reader may ignore — metadata, scaling, optimizer state — is not required.</para>
/// </remarks>
public sealed class ModelFileSection
{
    /// <summary>The longest section name, in characters.</summary>
    public const int MaxNameLength = 64;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _payload;

    private ModelFileSection(string name, ModelFileSectionType type, bool isRequired, byte[] payload)
    {
        Name = name;
        Type = type;
        IsRequired = isRequired;
        _payload = payload;
    }

    /// <summary>The section's name.</summary>
    public string Name { get; }

    /// <summary>How the payload is encoded; a value outside the enum's members for a type written by a later version.</summary>
    public ModelFileSectionType Type { get; }

    /// <summary>Whether a reader that does not understand this section must refuse the file.</summary>
    public bool IsRequired { get; }

    /// <summary>Whether <see cref="Type"/> is one this library knows (and so decodes and checks).</summary>
    public bool IsKnownType => Enum.IsDefined(Type);

    /// <summary>The payload, as stored in the file.</summary>
    public ReadOnlySpan<byte> Payload => _payload;

    /// <summary>UTF-8 text.</summary>
    /// <param name="name">The section's name (see the remarks on <see cref="ModelFileSection"/>).</param>
    /// <param name="text">The text; it must be valid UTF-16 (no lone surrogate).</param>
    /// <param name="isRequired">Whether a reader that does not understand the section must refuse the file.</param>
    /// <exception cref="ArgumentException">The name is not a valid section name, or the text has a lone surrogate.</exception>
    public static ModelFileSection CreateText(string name, string text, bool isRequired = false)
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(text);
        return new ModelFileSection(name, ModelFileSectionType.Text, isRequired, Encode(text, nameof(text)));
    }

    /// <summary>A list of strings.</summary>
    /// <param name="name">The section's name.</param>
    /// <param name="values">The strings, in order; none null, each valid UTF-16.</param>
    /// <param name="isRequired">Whether a reader that does not understand the section must refuse the file.</param>
    /// <exception cref="ArgumentException">The name is invalid, or a string is null or has a lone surrogate.</exception>
    public static ModelFileSection CreateStrings(string name, IEnumerable<string> values, bool isRequired = false)
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(values);
        var stream = new MemoryStream();
        string[] list = [.. values];
        WriteUInt32(stream, (uint)list.Length);
        foreach (string value in list)
        {
            if (value is null) throw new ArgumentException("values must not contain null.", nameof(values));
            WriteString(stream, value, nameof(values));
        }

        return new ModelFileSection(name, ModelFileSectionType.Strings, isRequired, stream.ToArray());
    }

    /// <summary>A map from string keys to string values, in the order given.</summary>
    /// <param name="name">The section's name.</param>
    /// <param name="entries">The pairs; keys unique (ordinal) and not empty, nothing null, everything valid UTF-16.</param>
    /// <param name="isRequired">Whether a reader that does not understand the section must refuse the file.</param>
    /// <exception cref="ArgumentException">The name is invalid, a key is empty or repeated, or a string is null or has a lone surrogate.</exception>
    public static ModelFileSection CreateStringMap(string name, IEnumerable<KeyValuePair<string, string>> entries, bool isRequired = false)
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(entries);
        KeyValuePair<string, string>[] list = [.. entries];
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var stream = new MemoryStream();
        WriteUInt32(stream, (uint)list.Length);
        foreach ((string key, string value) in list)
        {
            if (string.IsNullOrEmpty(key)) throw new ArgumentException("entries must not have a null or empty key.", nameof(entries));
            if (value is null) throw new ArgumentException($"entries' value of key '{key}' is null.", nameof(entries));
            if (!keys.Add(key)) throw new ArgumentException($"entries has the key '{key}' more than once.", nameof(entries));
            WriteString(stream, key, nameof(entries));
            WriteString(stream, value, nameof(entries));
        }

        return new ModelFileSection(name, ModelFileSectionType.StringMap, isRequired, stream.ToArray());
    }

    /// <summary>The metadata section (<see cref="ModelFileSectionNames.Metadata"/>): free-form key–value pairs.</summary>
    /// <param name="entries">The pairs; keys unique and not empty.</param>
    /// <exception cref="ArgumentException">A key is empty or repeated, or a string is null or has a lone surrogate.</exception>
    public static ModelFileSection CreateMetadata(IEnumerable<KeyValuePair<string, string>> entries) =>
        CreateStringMap(ModelFileSectionNames.Metadata, entries);

    /// <summary>float32 values, every bit kept.</summary>
    /// <param name="name">The section's name.</param>
    /// <param name="values">The values.</param>
    /// <param name="isRequired">Whether a reader that does not understand the section must refuse the file.</param>
    /// <exception cref="ArgumentException">The name is not a valid section name.</exception>
    public static ModelFileSection CreateFloat32Array(string name, ReadOnlySpan<float> values, bool isRequired = false)
    {
        CheckName(name);
        var payload = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(payload.AsSpan(i * sizeof(float)), values[i]);
        return new ModelFileSection(name, ModelFileSectionType.Float32Array, isRequired, payload);
    }

    /// <summary>float64 values, every bit kept.</summary>
    /// <param name="name">The section's name.</param>
    /// <param name="values">The values.</param>
    /// <param name="isRequired">Whether a reader that does not understand the section must refuse the file.</param>
    /// <exception cref="ArgumentException">The name is not a valid section name.</exception>
    public static ModelFileSection CreateFloat64Array(string name, ReadOnlySpan<double> values, bool isRequired = false)
    {
        CheckName(name);
        var payload = new byte[values.Length * sizeof(double)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(payload.AsSpan(i * sizeof(double)), values[i]);
        return new ModelFileSection(name, ModelFileSectionType.Float64Array, isRequired, payload);
    }

    /// <summary>int64 values.</summary>
    /// <param name="name">The section's name.</param>
    /// <param name="values">The values.</param>
    /// <param name="isRequired">Whether a reader that does not understand the section must refuse the file.</param>
    /// <exception cref="ArgumentException">The name is not a valid section name.</exception>
    public static ModelFileSection CreateInt64Array(string name, ReadOnlySpan<long> values, bool isRequired = false)
    {
        CheckName(name);
        var payload = new byte[values.Length * sizeof(long)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(i * sizeof(long)), values[i]);
        return new ModelFileSection(name, ModelFileSectionType.Int64Array, isRequired, payload);
    }

    /// <summary>Opaque bytes.</summary>
    /// <param name="name">The section's name.</param>
    /// <param name="payload">The bytes (copied).</param>
    /// <param name="isRequired">Whether a reader that does not understand the section must refuse the file.</param>
    /// <exception cref="ArgumentException">The name is not a valid section name.</exception>
    public static ModelFileSection CreateBytes(string name, ReadOnlySpan<byte> payload, bool isRequired = false)
    {
        CheckName(name);
        return new ModelFileSection(name, ModelFileSectionType.Bytes, isRequired, payload.ToArray());
    }

    /// <summary>The text of a <see cref="ModelFileSectionType.Text"/> section.</summary>
    /// <exception cref="InvalidOperationException">The section is of another type.</exception>
    public string GetText()
    {
        RequireType(ModelFileSectionType.Text);
        return StrictUtf8.GetString(_payload);
    }

    /// <summary>The strings of a <see cref="ModelFileSectionType.Strings"/> section.</summary>
    /// <exception cref="InvalidOperationException">The section is of another type.</exception>
    public IReadOnlyList<string> GetStrings()
    {
        RequireType(ModelFileSectionType.Strings);
        return DecodeStrings(_payload, pairs: false) ?? throw new InvalidOperationException("The payload is not a valid list of strings.");
    }

    /// <summary>The pairs of a <see cref="ModelFileSectionType.StringMap"/> section, in the order written.</summary>
    /// <exception cref="InvalidOperationException">The section is of another type.</exception>
    public IReadOnlyList<KeyValuePair<string, string>> GetStringMap()
    {
        RequireType(ModelFileSectionType.StringMap);
        string[] items = DecodeStrings(_payload, pairs: true) ?? throw new InvalidOperationException("The payload is not a valid string map.");
        var pairs = new KeyValuePair<string, string>[items.Length / 2];
        for (int i = 0; i < pairs.Length; i++) pairs[i] = new(items[2 * i], items[2 * i + 1]);
        return pairs;
    }

    /// <summary>The values of a <see cref="ModelFileSectionType.Float32Array"/> section.</summary>
    /// <exception cref="InvalidOperationException">The section is of another type.</exception>
    public float[] GetFloat32Array()
    {
        RequireType(ModelFileSectionType.Float32Array);
        var values = new float[_payload.Length / sizeof(float)];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(_payload.AsSpan(i * sizeof(float)));
        return values;
    }

    /// <summary>The values of a <see cref="ModelFileSectionType.Float64Array"/> section.</summary>
    /// <exception cref="InvalidOperationException">The section is of another type.</exception>
    public double[] GetFloat64Array()
    {
        RequireType(ModelFileSectionType.Float64Array);
        var values = new double[_payload.Length / sizeof(double)];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadDoubleLittleEndian(_payload.AsSpan(i * sizeof(double)));
        return values;
    }

    /// <summary>The values of an <see cref="ModelFileSectionType.Int64Array"/> section.</summary>
    /// <exception cref="InvalidOperationException">The section is of another type.</exception>
    public long[] GetInt64Array()
    {
        RequireType(ModelFileSectionType.Int64Array);
        var values = new long[_payload.Length / sizeof(long)];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt64LittleEndian(_payload.AsSpan(i * sizeof(long)));
        return values;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Name} ({(IsKnownType ? Type.ToString() : $"type {(uint)Type}")}, {_payload.Length} bytes{(IsRequired ? ", required" : "")})";

    /// <summary>A section read from a file, after the reader checked its name and, for a known type, its payload.</summary>
    internal static ModelFileSection FromFile(string name, ModelFileSectionType type, bool isRequired, byte[] payload) => new(name, type, isRequired, payload);

    /// <summary>Why <paramref name="name"/> is not a valid section name, or null when it is.</summary>
    internal static string? NameProblem(string name)
    {
        if (name.Length is 0 or > MaxNameLength) return $"a section name has 1 to {MaxNameLength} characters, not {name.Length}";
        if (name[0] is < 'a' or > 'z') return "a section name starts with a letter a-z";
        foreach (char c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_')) return "a section name has only the characters a-z, 0-9, '.', '-' and '_'";
        }

        return null;
    }

    /// <summary>Why the payload is not valid for <paramref name="type"/>, or null when it is (or the type is unknown).</summary>
    internal static string? PayloadProblem(ModelFileSectionType type, byte[] payload)
    {
        switch (type)
        {
            case ModelFileSectionType.Text:
                return IsUtf8(payload) ? null : "the text is not valid UTF-8";
            case ModelFileSectionType.Strings:
                return DecodeStrings(payload, pairs: false) is null ? "the payload is not a uint32 count followed by that many strings" : null;
            case ModelFileSectionType.StringMap:
                string[]? items = DecodeStrings(payload, pairs: true);
                if (items is null) return "the payload is not a uint32 count followed by that many key-value pairs of strings";
                var keys = new HashSet<string>(StringComparer.Ordinal);
                for (int i = 0; i < items.Length; i += 2)
                {
                    if (items[i].Length == 0) return "a key of the map is empty";
                    if (!keys.Add(items[i])) return $"the map has the key '{items[i]}' more than once";
                }

                return null;
            case ModelFileSectionType.Float32Array:
                return payload.Length % sizeof(float) == 0 ? null : $"{payload.Length} bytes are not a whole number of float32 values";
            case ModelFileSectionType.Float64Array:
            case ModelFileSectionType.Int64Array:
                return payload.Length % sizeof(long) == 0 ? null : $"{payload.Length} bytes are not a whole number of 8-byte values";
            default:
                return null;
        }
    }

    private static void CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string? problem = NameProblem(name);
        if (problem is not null) throw new ArgumentException($"'{name}' is not a valid section name: {problem}.", nameof(name));
    }

    private void RequireType(ModelFileSectionType wanted)
    {
        if (Type != wanted) throw new InvalidOperationException($"Section '{Name}' is of type {(IsKnownType ? Type.ToString() : ((uint)Type).ToString(System.Globalization.CultureInfo.InvariantCulture))}, not {wanted}.");
    }

    private static byte[] Encode(string text, string parameterName)
    {
        try
        {
            return StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException error)
        {
            throw new ArgumentException($"{parameterName} holds a string that is not valid UTF-16 (a lone surrogate).", parameterName, error);
        }
    }

    private static void WriteUInt32(Stream stream, uint value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        stream.Write(bytes);
    }

    private static void WriteString(Stream stream, string value, string parameterName)
    {
        byte[] bytes = Encode(value, parameterName);
        WriteUInt32(stream, (uint)bytes.Length);
        stream.Write(bytes);
    }

    private static bool IsUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

    /// <summary>Decodes a uint32 count and that many strings (twice as many for pairs); null when the payload is not exactly that.</summary>
    private static string[]? DecodeStrings(byte[] payload, bool pairs)
    {
        if (payload.Length < sizeof(uint)) return null;
        long count = BinaryPrimitives.ReadUInt32LittleEndian(payload) * (pairs ? 2L : 1L);
        // Each string takes at least its 4-byte length: a count the payload cannot hold is refused before allocating.
        if (count > (payload.Length - sizeof(uint)) / sizeof(uint)) return null;
        var items = new string[count];
        int offset = sizeof(uint);
        for (long i = 0; i < count; i++)
        {
            if (payload.Length - offset < sizeof(uint)) return null;
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(payload.AsSpan(offset));
            offset += sizeof(uint);
            if (length > (uint)(payload.Length - offset)) return null;
            ReadOnlySpan<byte> bytes = payload.AsSpan(offset, (int)length);
            if (!IsUtf8(bytes)) return null;
            items[i] = StrictUtf8.GetString(bytes);
            offset += (int)length;
        }

        return offset == payload.Length ? items : null;
    }
}
