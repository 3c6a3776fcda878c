using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;

namespace Rnn.Fast;

/// <summary>
/// Reads and writes the section table of a version-2 model file, which follows the parameters and precedes the
/// checksum: a uint32 section count, then each section as
/// <c>name length (uint8) | name (ASCII) | type (uint32) | flags (uint32) | payload length (uint64) | payload</c>.
/// Flag bit 0 marks a section required; the other bits are reserved and must be 0. Structure (counts, names,
/// lengths) is checked while reading, since it decides what is read next; the payloads and the well-known sections
/// are checked by <see cref="Validate"/>, after the checksum has been verified, so damage reads as a checksum
/// mismatch rather than as whatever the damaged bytes happen to look like.
/// </summary>
internal static class ModelFileSections
{
    /// <summary>The most sections a file may hold: enough for any metadata and optimizer state, small enough that a
    /// forged count costs nothing.</summary>
    internal const int MaxSectionCount = 1024;

    /// <summary>The largest payload: the largest byte array .NET allocates.</summary>
    internal const long MaxPayloadLength = 0x7FFF_FFC7;

    private const uint RequiredFlag = 1;
    private const int ChunkBytes = 64 * 1024;

    /// <summary>The well-known sections: their type, and how many elements the model's shape asks for (null: any).</summary>
    private static readonly Dictionary<string, (ModelFileSectionType Type, Func<RnnShape, int>? Count)> WellKnown = new(StringComparer.Ordinal)
    {
        [ModelFileSectionNames.Metadata] = (ModelFileSectionType.StringMap, null),
        [ModelFileSectionNames.InputColumns] = (ModelFileSectionType.Strings, s => s.InputSize),
        [ModelFileSectionNames.InputMean] = (ModelFileSectionType.Float64Array, s => s.InputSize),
        [ModelFileSectionNames.InputScale] = (ModelFileSectionType.Float64Array, s => s.InputSize),
        [ModelFileSectionNames.OutputColumns] = (ModelFileSectionType.Strings, s => s.OutputSize),
        [ModelFileSectionNames.OutputMean] = (ModelFileSectionType.Float64Array, s => s.OutputSize),
        [ModelFileSectionNames.OutputScale] = (ModelFileSectionType.Float64Array, s => s.OutputSize),
        [ModelFileSectionNames.WindowLength] = (ModelFileSectionType.Int64Array, _ => 1),
        [ModelFileSectionNames.OptimizerKind] = (ModelFileSectionType.Text, null),
        [ModelFileSectionNames.OptimizerStep] = (ModelFileSectionType.Int64Array, _ => 1),
        [ModelFileSectionNames.OptimizerMomentumBuffer] = (ModelFileSectionType.Float32Array, s => s.ParameterCount),
        [ModelFileSectionNames.OptimizerFirstMoment] = (ModelFileSectionType.Float32Array, s => s.ParameterCount),
        [ModelFileSectionNames.OptimizerSecondMoment] = (ModelFileSectionType.Float32Array, s => s.ParameterCount),
        [ModelFileSectionNames.OptimizerMaxSecondMoment] = (ModelFileSectionType.Float32Array, s => s.ParameterCount),
    };

    /// <summary>Checks the sections a caller passes to a save, before anything is written.</summary>
    internal static ModelFileSection[] CheckArgument(IEnumerable<ModelFileSection> sections, RnnShape shape, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(sections, parameterName);
        ModelFileSection[] list = [.. sections];
        if (list.Length > MaxSectionCount) throw new ArgumentException($"{parameterName} holds {list.Length} sections; a file holds at most {MaxSectionCount}.", parameterName);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (ModelFileSection section in list)
        {
            if (section is null) throw new ArgumentException($"{parameterName} must not contain null.", parameterName);
            if (!names.Add(section.Name)) throw new ArgumentException($"{parameterName} has more than one section called '{section.Name}'.", parameterName);
            string? problem = WellKnownProblem(section, shape);
            if (problem is not null) throw new ArgumentException($"{parameterName}: {problem}.", parameterName);
        }

        string? stateProblem = TrainingStateSections.Problem(list);
        if (stateProblem is not null) throw new ArgumentException($"{parameterName}: {stateProblem}.", parameterName);
        return list;
    }

    /// <summary>Writes the section table at the stream's position and adds its bytes to the checksum.</summary>
    internal static void Write(Stream stream, Crc32 crc, IReadOnlyList<ModelFileSection> sections)
    {
        Span<byte> field = stackalloc byte[8];
        Span<byte> name = stackalloc byte[1 + ModelFileSection.MaxNameLength];
        BinaryPrimitives.WriteUInt32LittleEndian(field, (uint)sections.Count);
        Emit(stream, crc, field[..4]);
        foreach (ModelFileSection section in sections)
        {
            name[0] = (byte)section.Name.Length;
            for (int i = 0; i < section.Name.Length; i++) name[1 + i] = (byte)section.Name[i];
            Emit(stream, crc, name[..(1 + section.Name.Length)]);
            BinaryPrimitives.WriteUInt32LittleEndian(field, (uint)section.Type);
            Emit(stream, crc, field[..4]);
            BinaryPrimitives.WriteUInt32LittleEndian(field, section.IsRequired ? RequiredFlag : 0);
            Emit(stream, crc, field[..4]);
            BinaryPrimitives.WriteUInt64LittleEndian(field, (ulong)section.Payload.Length);
            Emit(stream, crc, field);
            Emit(stream, crc, section.Payload);
        }
    }

    /// <summary>Reads the section table from the stream's position, adding its bytes to the checksum. Checks the
    /// structure only; <see cref="Validate"/> checks the rest once the checksum is known to match.</summary>
    internal static List<ModelFileSection> Read(Stream stream, Crc32 crc, string? path)
    {
        Span<byte> field = stackalloc byte[8];
        ReadField(stream, crc, field[..4], path, "the section count");
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(field);
        if (count > MaxSectionCount)
        {
            throw Invalid(path, $"invalid section: the file says it holds {count} sections; a file holds at most {MaxSectionCount}.");
        }

        var sections = new List<ModelFileSection>((int)count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        Span<byte> nameBytes = stackalloc byte[byte.MaxValue];
        for (int index = 0; index < count; index++)
        {
            string which = string.Create(CultureInfo.InvariantCulture, $"section {index + 1} of {count}");
            ReadField(stream, crc, field[..1], path, $"the name length of {which}");
            int nameLength = field[0];
            ReadField(stream, crc, nameBytes[..nameLength], path, $"the name of {which}");
            string name = string.Create(nameLength, nameBytes[..nameLength].ToArray(), static (chars, bytes) =>
            {
                for (int i = 0; i < bytes.Length; i++) chars[i] = (char)bytes[i];
            });
            string? nameProblem = ModelFileSection.NameProblem(name);
            if (nameProblem is not null) throw Invalid(path, $"invalid section: the name of {which} is not valid ({nameProblem}).");
            if (!names.Add(name)) throw Invalid(path, $"invalid section: the file has more than one section called '{name}'.");

            ReadField(stream, crc, field[..4], path, $"the type of section '{name}'");
            var type = (ModelFileSectionType)BinaryPrimitives.ReadUInt32LittleEndian(field);
            ReadField(stream, crc, field[..4], path, $"the flags of section '{name}'");
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(field);
            if ((flags & ~RequiredFlag) != 0)
            {
                throw Invalid(path, $"invalid section: section '{name}' has flags 0x{flags:X8}; only bit 0 (required) is defined, the others must be 0.");
            }

            ReadField(stream, crc, field, path, $"the payload length of section '{name}'");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(field);
            if (length > MaxPayloadLength)
            {
                throw Invalid(path, $"too large: section '{name}' says its payload has {length} bytes; a section holds at most {MaxPayloadLength}.");
            }

            byte[] payload = ReadPayload(stream, (int)length, path, name);
            crc.Append(payload);
            sections.Add(ModelFileSection.FromFile(name, type, (flags & RequiredFlag) != 0, payload));
        }

        return sections;
    }

    /// <summary>Checks every payload of a known type, every well-known section against the shape, and that no
    /// required section is one this library does not understand.</summary>
    internal static void Validate(IReadOnlyList<ModelFileSection> sections, RnnShape shape, string? path)
    {
        foreach (ModelFileSection section in sections)
        {
            if (section.IsKnownType)
            {
                string? payloadProblem = ModelFileSection.PayloadProblem(section.Type, section.Payload.ToArray());
                if (payloadProblem is not null) throw Invalid(path, $"invalid section: the payload of '{section.Name}' ({section.Type}) is not valid: {payloadProblem}.");
            }

            string? problem = WellKnownProblem(section, shape);
            if (problem is not null) throw Invalid(path, $"invalid section: {problem}.");
            if (section.IsRequired && !section.IsKnownType)
            {
                throw Invalid(path, $"unsupported section: '{section.Name}' is marked required, but its type code {(uint)section.Type} is unknown to this library (a later version wrote it).");
            }

            if (section.IsRequired && !WellKnown.ContainsKey(section.Name))
            {
                throw Invalid(path, $"unsupported section: '{section.Name}' is marked required, but this library does not know what it means (a later version wrote it).");
            }
        }

        string? stateProblem = TrainingStateSections.Problem(sections);
        if (stateProblem is not null) throw Invalid(path, $"invalid section: {stateProblem}.");
    }

    /// <summary>Why a well-known section does not fit its definition or the model's shape; null when it does or the name is not well known.</summary>
    private static string? WellKnownProblem(ModelFileSection section, RnnShape shape)
    {
        if (!WellKnown.TryGetValue(section.Name, out var definition)) return null;
        if (section.Type != definition.Type) return $"'{section.Name}' must be of type {definition.Type}, not {section.Type}";
        int count = definition.Type switch
        {
            ModelFileSectionType.Strings => section.GetStrings().Count,
            ModelFileSectionType.Float64Array => section.Payload.Length / sizeof(double),
            ModelFileSectionType.Int64Array => section.Payload.Length / sizeof(long),
            ModelFileSectionType.Float32Array => section.Payload.Length / sizeof(float),
            _ => -1,
        };
        if (definition.Count is not null && count != definition.Count(shape))
        {
            return $"'{section.Name}' must have {definition.Count(shape)} values for the shape d={shape.InputSize}, h={shape.HiddenSize}, o={shape.OutputSize}, not {count}";
        }

        if (section.Name is ModelFileSectionNames.InputScale or ModelFileSectionNames.OutputScale
            && section.GetFloat64Array().Any(s => !(double.IsFinite(s) && s > 0)))
        {
            return $"every value of '{section.Name}' must be finite and above 0";
        }

        if (section.Name is ModelFileSectionNames.InputMean or ModelFileSectionNames.OutputMean && section.GetFloat64Array().Any(m => !double.IsFinite(m)))
        {
            return $"every value of '{section.Name}' must be finite";
        }

        if (section.Name == ModelFileSectionNames.WindowLength && section.GetInt64Array()[0] < 1)
        {
            return $"'{section.Name}' must be at least 1, not {section.GetInt64Array()[0]}";
        }

        return TrainingStateSections.ValueProblem(section, shape);
    }

    private static void Emit(Stream stream, Crc32 crc, ReadOnlySpan<byte> bytes)
    {
        crc.Append(bytes);
        stream.Write(bytes);
    }

    private static void ReadField(Stream stream, Crc32 crc, Span<byte> destination, string? path, string what)
    {
        int read = stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        if (read < destination.Length) throw Invalid(path, $"truncated: the file ends inside {what}.");
        crc.Append(destination);
    }

    /// <summary>
    /// Reads <paramref name="length"/> bytes. A stream of known length must hold them before anything is allocated; any other stream is read in 64 KiB chunks into a buffer that doubles as
    /// data arrives, so a forged length costs at most about twice what the stream really holds.
    /// </summary>
    private static byte[] ReadPayload(Stream stream, int length, string? path, string name)
    {
        if (stream.CanSeek)
        {
            long left = Math.Max(0, stream.Length - stream.Position);
            if (left < length) throw TruncatedPayload(path, name, length, left);
        }

        byte[] payload = new byte[stream.CanSeek ? length : Math.Min(length, ChunkBytes)];
        int filled = 0;
        while (filled < length)
        {
            if (filled == payload.Length) Array.Resize(ref payload, (int)Math.Min(2L * payload.Length, length));
            int read = stream.Read(payload, filled, payload.Length - filled);
            if (read == 0) throw TruncatedPayload(path, name, length, filled);
            filled += read;
        }

        return payload;
    }

    /// <summary>The same message from every kind of stream: a seekable one knows how much is left, any other finds out.</summary>
    private static InvalidModelFileException TruncatedPayload(string? path, string name, int length, long present) =>
        Invalid(path, $"truncated: section '{name}' says its payload has {length} bytes, but the file ends {present} bytes into it.");

    private static InvalidModelFileException Invalid(string? path, string problem) => new(path is null ? problem : $"{path}: {problem}");
}
