using System.Buffers.Binary;

namespace Rnn.Fast.Tests.Serialization;

/// <summary>
/// The model-file format as the tests know it, written independently of <see cref="RnnModelFile"/> from its
/// documentation: field offsets, a bitwise CRC-32, and builders for valid, forged and corrupt files.
/// </summary>
public static class ModelFileBytes
{
    /// <summary>Bytes before the parameters.</summary>
    public const int HeaderLength = 32;

    /// <summary>Where the format version (uint32) is.</summary>
    public const int VersionOffset = 4;

    /// <summary>Where d (int32) is.</summary>
    public const int InputSizeOffset = 8;

    /// <summary>Where h (int32) is.</summary>
    public const int HiddenSizeOffset = 12;

    /// <summary>Where o (int32) is.</summary>
    public const int OutputSizeOffset = 16;

    /// <summary>Where the activation code (uint32) is.</summary>
    public const int ActivationOffset = 20;

    /// <summary>Where the parameter count (int64) is.</summary>
    public const int CountOffset = 24;

    /// <summary>The length of a valid file for <paramref name="shape"/>: header, 4 bytes per parameter, CRC.</summary>
    /// <param name="shape">The model's shape.</param>
    public static int FileLength(RnnShape shape) => HeaderLength + 4 * shape.ParameterCount + 4;

    /// <summary>What <see cref="RnnModelFile.Save(RnnModel, Stream)"/> writes for <paramref name="model"/>.</summary>
    /// <param name="model">The model.</param>
    public static byte[] Save(RnnModel model)
    {
        using var stream = new MemoryStream();
        RnnModelFile.Save(model, stream);
        return stream.ToArray();
    }

    /// <summary>What <see cref="RnnModelFile.Save(RnnModel, Stream, IEnumerable{ModelFileSection})"/> writes (version 2).</summary>
    /// <param name="model">The model.</param>
    /// <param name="sections">The sections.</param>
    public static byte[] Save(RnnModel model, IEnumerable<ModelFileSection> sections)
    {
        using var stream = new MemoryStream();
        RnnModelFile.Save(model, stream, sections);
        return stream.ToArray();
    }

    /// <summary>Loads from a seekable, read-only memory stream.</summary>
    /// <param name="file">The file's bytes.</param>
    public static RnnModel LoadSeekable(byte[] file) => RnnModelFile.Load(new MemoryStream(file, writable: false));

    /// <summary>Loads from a stream without Length or Position, as from a pipe.</summary>
    /// <param name="file">The file's bytes.</param>
    public static RnnModel LoadUnseekable(byte[] file) => RnnModelFile.Load(new RestrictedStream(file, canSeek: false));

    /// <summary>CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF), bit by bit.</summary>
    /// <param name="data">The bytes.</param>
    public static uint ReferenceCrc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFF_FFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1;
        }

        return ~crc;
    }

    /// <summary>Writes the CRC-32 of every byte but the last four into the last four, as a forger would.</summary>
    /// <param name="file">The file's bytes; left alone when shorter than 4 bytes.</param>
    public static void FixChecksum(byte[] file)
    {
        if (file.Length < 4) return;
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(file.Length - 4), ReferenceCrc32(file.AsSpan(0, file.Length - 4)));
    }

    /// <summary>
    /// A header, then <paramref name="payloadBytes"/> zero bytes, then a correct CRC-32 of all that (or no CRC when
    /// <paramref name="withChecksum"/> is false): a file whose header says what the caller wants.
    /// </summary>
    /// <param name="d">The input size field.</param>
    /// <param name="h">The hidden size field.</param>
    /// <param name="o">The output size field.</param>
    /// <param name="count">The parameter count field.</param>
    /// <param name="payloadBytes">How many bytes follow the header before the CRC.</param>
    /// <param name="version">The format version field.</param>
    /// <param name="activation">The activation code field.</param>
    /// <param name="magic">The first four bytes.</param>
    /// <param name="withChecksum">Whether a CRC-32 ends the file.</param>
    public static byte[] Forge(int d, int h, int o, long count, int payloadBytes, uint version = 1, uint activation = 1,
        string magic = "RNNF", bool withChecksum = true)
    {
        var file = new byte[HeaderLength + payloadBytes + (withChecksum ? 4 : 0)];
        for (int i = 0; i < 4; i++) file[i] = (byte)magic[i];
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(VersionOffset), version);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(InputSizeOffset), d);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(HiddenSizeOffset), h);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(OutputSizeOffset), o);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(ActivationOffset), activation);
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(CountOffset), count);
        if (withChecksum) FixChecksum(file);
        return file;
    }

    /// <summary>
    /// Parameter values that stress a byte-exact format: quiet and signalling NaNs with payloads and both signs, ±∞,
    /// ±0, the smallest and largest subnormals and normals, then random bit patterns.
    /// </summary>
    /// <param name="count">How many values.</param>
    /// <param name="seed">The seed of the random part.</param>
    public static float[] AwkwardParameters(int count, int seed)
    {
        uint[] special =
        [
            0x7FC0_0000, 0xFFC0_0000, 0x7FC1_2345, 0xFFF0_0F0F, 0x7F80_0001, 0xFF80_0001, 0x7FBF_FFFF, // NaNs
            0x7F80_0000, 0xFF80_0000, 0x0000_0000, 0x8000_0000, // ±∞, ±0
            0x0000_0001, 0x8000_0001, 0x007F_FFFF, 0x807F_FFFF, // subnormals
            0x0080_0000, 0x7F7F_FFFF, 0xFF7F_FFFF, 0x3F80_0000, // smallest normal, ±max, 1
        ];
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            uint bits = random.Next(3) == 0 ? special[random.Next(special.Length)] : (uint)random.NextInt64(0, 1L << 32);
            values[i] = BitConverter.UInt32BitsToSingle(bits);
        }

        return values;
    }

    /// <summary>
    /// A version-2 file written from the format's documentation, independently of <see cref="RnnModelFile"/>: the
    /// version-1 header with version 2, the parameters, the section count (uint32), each section as name length
    /// (uint8), name (ASCII), type (uint32), flags (uint32), payload length (uint64) and payload, then the CRC-32.
    /// </summary>
    /// <param name="shape">The model's shape.</param>
    /// <param name="parameters">Its parameters.</param>
    /// <param name="sections">The sections' raw fields, in file order.</param>
    public static byte[] Version2(RnnShape shape, ReadOnlySpan<float> parameters, IReadOnlyList<RawSection> sections)
    {
        var bytes = new List<byte>(Forge(shape.InputSize, shape.HiddenSize, shape.OutputSize, shape.ParameterCount, 0, version: 2, withChecksum: false));
        Span<byte> field = stackalloc byte[8];
        foreach (float value in parameters)
        {
            BinaryPrimitives.WriteSingleLittleEndian(field, value);
            bytes.AddRange(field[..4].ToArray());
        }

        BinaryPrimitives.WriteUInt32LittleEndian(field, (uint)sections.Count);
        bytes.AddRange(field[..4].ToArray());
        foreach (RawSection section in sections)
        {
            bytes.Add((byte)section.Name.Length);
            bytes.AddRange(section.Name.Select(c => (byte)c));
            BinaryPrimitives.WriteUInt32LittleEndian(field, section.Type);
            bytes.AddRange(field[..4].ToArray());
            BinaryPrimitives.WriteUInt32LittleEndian(field, section.Flags);
            bytes.AddRange(field[..4].ToArray());
            BinaryPrimitives.WriteUInt64LittleEndian(field, (ulong)section.Payload.Length);
            bytes.AddRange(field.ToArray());
            bytes.AddRange(section.Payload);
        }

        bytes.AddRange(new byte[4]);
        byte[] file = [.. bytes];
        FixChecksum(file);
        return file;
    }

    /// <summary>Where the section table (its uint32 count) starts in a file of <paramref name="shape"/>.</summary>
    /// <param name="shape">The model's shape.</param>
    public static int SectionTableOffset(RnnShape shape) => HeaderLength + 4 * shape.ParameterCount;

    /// <summary>A string as the format encodes it in a list or map: uint32 byte count, then UTF-8.</summary>
    /// <param name="value">The string.</param>
    public static byte[] EncodedString(string value)
    {
        byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(value);
        var bytes = new byte[4 + utf8.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)utf8.Length);
        utf8.CopyTo(bytes, 4);
        return bytes;
    }

    /// <summary>A list of strings (or, with an even count read as pairs, a map) as the format encodes it.</summary>
    /// <param name="count">The count field: the number of strings, or of pairs for a map.</param>
    /// <param name="values">The strings, in order.</param>
    public static byte[] EncodedStrings(uint count, params string[] values)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, count);
        return [.. bytes, .. values.SelectMany(EncodedString)];
    }
}

/// <summary>A section's fields as they stand in a file.</summary>
/// <param name="Name">The name (ASCII).</param>
/// <param name="Type">The type code.</param>
/// <param name="Flags">The flags (bit 0: required).</param>
/// <param name="Payload">The payload.</param>
public sealed record RawSection(string Name, uint Type, uint Flags, byte[] Payload);
