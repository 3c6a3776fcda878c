using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;

namespace Rnn.Fast.Tests.Serialization;

/// <summary>
/// One version-2 fuzz case: a small model with a few sections of every kind (the well-known ones, custom ones of
/// each type, one of a type this library does not know, and sometimes a required one of an unknown type), written by
/// the tests' own <see cref="ModelFileBytes.Version2"/>, then 1..3 mutations. FsCheck draws the sizes, the mutations
/// and the seed; the sections, offsets and values come from the seed, so the printed case replays alone.
/// </summary>
public sealed record ModelFileVersion2FuzzCase(int InputSize, int HiddenSize, int OutputSize, Version2Mutation[] Mutations, int Seed)
{
    /// <summary>d 1..4, h 1..6, o 1..3, 1..3 mutations, weighted toward the ones that get past the checksum.</summary>
    public static Arbitrary<ModelFileVersion2FuzzCase> Arbitrary { get; } = Arb.From(
        from d in Gen.Choose(1, 4)
        from h in Gen.Choose(1, 6)
        from o in Gen.Choose(1, 3)
        from count in Gen.Choose(1, 3)
        from mutations in Gen.ArrayOf(Gen.Frequency(
            (2, Gen.Constant(Version2Mutation.FlipBit)),
            (1, Gen.Constant(Version2Mutation.SetByte)),
            (6, Gen.Constant(Version2Mutation.SetSectionField)),
            (3, Gen.Constant(Version2Mutation.DamagePayload)),
            (2, Gen.Constant(Version2Mutation.Truncate)),
            (2, Gen.Constant(Version2Mutation.Append)),
            (3, Gen.Constant(Version2Mutation.FixChecksum))), count)
        from seed in Gen.Choose(0, int.MaxValue)
        select new ModelFileVersion2FuzzCase(d, h, o, mutations, seed));

    /// <summary>The model's shape.</summary>
    public RnnShape Shape => new(InputSize, HiddenSize, OutputSize);

    /// <summary>The sections the valid file holds, drawn from the seed.</summary>
    public IReadOnlyList<RawSection> Sections()
    {
        var random = new Random(Seed);
        var sections = new List<RawSection>();
        void Maybe(Func<RawSection> make)
        {
            if (random.Next(2) == 0) sections.Add(make());
        }

        Maybe(() => new RawSection("metadata", 3, 0, ModelFileBytes.EncodedStrings(2, "tool", "fuzz", "note", random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture) + " \u00e9\u4e2d")));
        Maybe(() => new RawSection("inputs.columns", 2, 0, ModelFileBytes.EncodedStrings((uint)InputSize, [.. Enumerable.Range(0, InputSize).Select(i => $"x{i}")])));
        Maybe(() => new RawSection("inputs.scale", 5, 0, Doubles(Enumerable.Range(0, InputSize).Select(_ => 0.5 + random.NextDouble()))));
        Maybe(() => new RawSection("outputs.mean", 5, 0, Doubles(Enumerable.Range(0, OutputSize).Select(_ => random.NextDouble() - 0.5))));
        Maybe(() => new RawSection("window.length", 6, 0, BitConverter.GetBytes((long)random.Next(1, 100))));
        Maybe(() => new RawSection("fuzz.floats", 4, 0, [.. ModelFileBytes.AwkwardParameters(random.Next(0, 6), random.Next()).SelectMany(BitConverter.GetBytes)]));
        Maybe(() => new RawSection("fuzz.text", 1, 0, System.Text.Encoding.UTF8.GetBytes("text \u00fc")));
        Maybe(() => new RawSection("fuzz.bytes", 7, 0, RandomBytes(random, random.Next(0, 9))));
        Maybe(() => new RawSection("fuzz.later-type", 99, 0, RandomBytes(random, random.Next(0, 9))));
        if (random.Next(8) == 0) sections.Add(new RawSection("fuzz.later-required", 100, 1, RandomBytes(random, 3)));
        return sections;
    }

    /// <summary>The valid file the case starts from.</summary>
    public byte[] ValidFile()
    {
        RnnShape shape = Shape;
        return ModelFileBytes.Version2(shape, ModelFileBytes.AwkwardParameters(shape.ParameterCount, Seed), Sections());
    }

    /// <summary>Applies the mutations to a copy of the valid file; <paramref name="log"/> says what each did.</summary>
    /// <param name="log">Receives one line per mutation, for failure messages.</param>
    public byte[] Mutate(List<string> log)
    {
        var random = new Random(Seed ^ 0x5EC7);
        byte[] file = ValidFile();
        IReadOnlyList<RawSection> sections = Sections();
        foreach (Version2Mutation mutation in Mutations) file = Apply(mutation, file, sections, random, log);
        return file;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{nameof(ModelFileVersion2FuzzCase)} {{ d={InputSize}, h={HiddenSize}, o={OutputSize}, mutations [{string.Join(", ", Mutations)}], seed {Seed} }}";

    private byte[] Apply(Version2Mutation mutation, byte[] file, IReadOnlyList<RawSection> sections, Random random, List<string> log)
    {
        int table = ModelFileBytes.SectionTableOffset(Shape);
        switch (mutation)
        {
            case Version2Mutation.FlipBit:
            {
                int offset = random.Next(file.Length), bit = random.Next(8);
                file[offset] ^= (byte)(1 << bit);
                log.Add($"flip bit {bit} of byte {offset}");
                return file;
            }
            case Version2Mutation.SetByte:
            {
                // Past the parameters when the file still reaches there (a truncation may have cut it at the table).
                int offset = file.Length > table ? random.Next(table, file.Length) : random.Next(file.Length);
                file[offset] = (byte)random.Next(256);
                log.Add($"byte {offset} = 0x{file[offset]:X2}");
                return file;
            }
            case Version2Mutation.SetSectionField:
                SetSectionField(file, table, sections, random, log);
                ModelFileBytes.FixChecksum(file);
                log.Add("checksum fixed");
                return file;
            case Version2Mutation.DamagePayload:
            {
                var payloads = Fields(table, sections).Where(f => f.PayloadLength > 0).ToArray();
                if (payloads.Length == 0 || file.Length < 4)
                {
                    log.Add("damage payload: no payload, skipped");
                    return file;
                }

                var (name, _, _, _, _, payload, length) = payloads[random.Next(payloads.Length)];
                int offset = payload + random.Next(length);
                if (offset >= file.Length - 4) return file;
                file[offset] = (byte)random.Next(256);
                ModelFileBytes.FixChecksum(file);
                log.Add($"payload byte {offset - payload} of '{name}' = 0x{file[offset]:X2}, checksum fixed");
                return file;
            }
            case Version2Mutation.Truncate:
            {
                int length = random.Next(table, file.Length);
                log.Add($"truncate to {length} bytes");
                return file[..length];
            }
            case Version2Mutation.Append:
            {
                var extra = RandomBytes(random, random.Next(1, 41));
                log.Add($"append {extra.Length} bytes");
                return [.. file, .. extra];
            }
            default:
                ModelFileBytes.FixChecksum(file);
                log.Add("checksum fixed");
                return file;
        }
    }

    private static void SetSectionField(byte[] file, int table, IReadOnlyList<RawSection> sections, Random random, List<string> log)
    {
        var fields = Fields(table, sections);
        if (sections.Count == 0 || random.Next(5) == 0)
        {
            uint[] counts = [0, 1, (uint)sections.Count + 1, (uint)Math.Max(0, sections.Count - 1), 1024, 1025, uint.MaxValue, (uint)random.Next()];
            uint count = counts[random.Next(counts.Length)];
            if (file.Length >= table + 4) BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(table), count);
            log.Add($"section count = {count}");
            return;
        }

        var (name, nameLength, nameAt, type, flags, payload, length) = fields[random.Next(fields.Length)];
        if (payload > file.Length)
        {
            log.Add($"section field of '{name}': the file was cut before it, skipped");
            return;
        }

        switch (random.Next(5))
        {
            case 0:
            {
                byte[] lengths = [0, 1, 64, 65, 255, (byte)(name.Length + 1), (byte)(name.Length - 1)];
                file[nameLength] = lengths[random.Next(lengths.Length)];
                log.Add($"name length of '{name}' = {file[nameLength]}");
                break;
            }
            case 1:
            {
                byte[] characters = [(byte)'A', (byte)'.', 0, 0xFF, (byte)'0', (byte)'z', (byte)'-', (byte)'m'];
                int at = nameAt + random.Next(name.Length);
                file[at] = characters[random.Next(characters.Length)];
                log.Add($"name byte {at - nameAt} of '{name}' = 0x{file[at]:X2}");
                break;
            }
            case 2:
            {
                uint[] types = [0, 1, 2, 3, 4, 5, 6, 7, 8, 99, uint.MaxValue];
                uint value = types[random.Next(types.Length)];
                BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(type), value);
                log.Add($"type of '{name}' = {value}");
                break;
            }
            case 3:
            {
                uint[] values = [0, 1, 2, 3, 0x8000_0000];
                uint value = values[random.Next(values.Length)];
                BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(flags), value);
                log.Add($"flags of '{name}' = 0x{value:X}");
                break;
            }
            default:
            {
                ulong[] values = [0, (ulong)length + 1, (ulong)Math.Max(0, length - 1), 1UL << 31, 0x7FFF_FFC7, 0x7FFF_FFC8, ulong.MaxValue, (ulong)random.Next(0, 64)];
                ulong value = values[random.Next(values.Length)];
                BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(payload - 8), value);
                log.Add($"payload length of '{name}' = {value}");
                break;
            }
        }
    }

    /// <summary>Where each section's fields are: name-length byte, name, type, flags, payload, and the payload's length.</summary>
    private static (string Name, int NameLength, int Name_, int Type, int Flags, int Payload, int PayloadLength)[] Fields(int table, IReadOnlyList<RawSection> sections)
    {
        var fields = new List<(string, int, int, int, int, int, int)>();
        int offset = table + 4;
        foreach (RawSection section in sections)
        {
            int name = offset + 1, type = name + section.Name.Length, flags = type + 4, payload = flags + 4 + 8;
            fields.Add((section.Name, offset, name, type, flags, payload, section.Payload.Length));
            offset = payload + section.Payload.Length;
        }

        return [.. fields];
    }

    private static byte[] Doubles(IEnumerable<double> values) => [.. values.SelectMany(BitConverter.GetBytes)];

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}

/// <summary>One way <see cref="ModelFileVersion2FuzzCase"/> damages or forges a valid version-2 file.</summary>
public enum Version2Mutation
{
    /// <summary>Flip one random bit anywhere.</summary>
    FlipBit,

    /// <summary>Overwrite one random byte of the section table or checksum.</summary>
    SetByte,

    /// <summary>Overwrite the section count or one field of a section header (name length, a name byte, type, flags,
    /// payload length) with an edge or random value, then fix the checksum.</summary>
    SetSectionField,

    /// <summary>Overwrite one byte of a payload, then fix the checksum.</summary>
    DamagePayload,

    /// <summary>Cut the file inside the section table or checksum.</summary>
    Truncate,

    /// <summary>Append 1..40 random bytes.</summary>
    Append,

    /// <summary>Recompute the CRC-32 of everything but the last four bytes into the last four.</summary>
    FixChecksum,
}
