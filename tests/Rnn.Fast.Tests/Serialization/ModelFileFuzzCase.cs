using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;

namespace Rnn.Fast.Tests.Serialization;

/// <summary>
/// One fuzz case: a small model (d, h, o, parameters from the seed) saved to bytes, then 1..3 mutations applied in
/// order. FsCheck draws the sizes, the mutation kinds and the seed; every offset and value comes from the seed, so
/// a failing case is reproducible from its printed form alone.
/// </summary>
public sealed record ModelFileFuzzCase(int InputSize, int HiddenSize, int OutputSize, FileMutation[] Mutations, int Seed)
{
    /// <summary>
    /// d 1..6, h 1..8, o 1..4 (files of 56 to 564 bytes), 1..3 mutations. Weights favour the mutations that reach
    /// past the checksum (header fields, forged valid files, fixed checksums), since random damage alone is almost
    /// always caught by the CRC and would leave the deeper checks and the success path untested.
    /// </summary>
    public static Arbitrary<ModelFileFuzzCase> Arbitrary { get; } = Arb.From(
        from d in Gen.Choose(1, 6)
        from h in Gen.Choose(1, 8)
        from o in Gen.Choose(1, 4)
        from count in Gen.Choose(1, 3)
        from mutations in Gen.ArrayOf(Gen.Frequency(
            (3, Gen.Constant(FileMutation.FlipBit)),
            (2, Gen.Constant(FileMutation.SetByte)),
            (5, Gen.Constant(FileMutation.SetHeaderField)),
            (2, Gen.Constant(FileMutation.Reshape)),
            (2, Gen.Constant(FileMutation.ForgeParameters)),
            (3, Gen.Constant(FileMutation.Truncate)),
            (2, Gen.Constant(FileMutation.Append)),
            (3, Gen.Constant(FileMutation.FixChecksum))), count)
        from seed in Gen.Choose(0, int.MaxValue)
        select new ModelFileFuzzCase(d, h, o, mutations, seed));

    /// <summary>The valid model the case starts from.</summary>
    public RnnModel Model()
    {
        var shape = new RnnShape(InputSize, HiddenSize, OutputSize);
        return new RnnModel(shape, ModelFileBytes.AwkwardParameters(shape.ParameterCount, Seed));
    }

    /// <summary>Applies the mutations to a copy of <paramref name="valid"/>; <paramref name="log"/> says what each did.</summary>
    /// <param name="valid">The saved model's bytes.</param>
    /// <param name="log">Receives one line per mutation, for failure messages.</param>
    public byte[] Mutate(byte[] valid, List<string> log)
    {
        var random = new Random(Seed ^ 0x5EED);
        byte[] file = (byte[])valid.Clone();
        foreach (FileMutation mutation in Mutations)
        {
            file = Apply(mutation, file, random, log);
        }

        return file;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{nameof(ModelFileFuzzCase)} {{ d={InputSize}, h={HiddenSize}, o={OutputSize}, mutations [{string.Join(", ", Mutations)}], seed {Seed} }}";

    private static byte[] Apply(FileMutation mutation, byte[] file, Random random, List<string> log)
    {
        switch (mutation)
        {
            case FileMutation.FlipBit when file.Length > 0:
            {
                int offset = random.Next(file.Length), bit = random.Next(8);
                file[offset] ^= (byte)(1 << bit);
                log.Add($"flip bit {bit} of byte {offset}");
                return file;
            }
            case FileMutation.SetByte when file.Length > 0:
            {
                int offset = random.Next(file.Length);
                byte value = (byte)random.Next(256);
                file[offset] = value;
                log.Add($"byte {offset} = 0x{value:X2}");
                return file;
            }
            case FileMutation.SetHeaderField:
                return SetHeaderField(file, random, log);
            case FileMutation.Reshape:
                return Reshape(file, random, log);
            case FileMutation.ForgeParameters when file.Length >= ModelFileBytes.HeaderLength + 8:
            {
                // Overwrite whole 4-byte parameter slots between the header and the last four bytes.
                int slots = (file.Length - ModelFileBytes.HeaderLength - 4) / 4;
                float[] values = ModelFileBytes.AwkwardParameters(4, random.Next());
                int forged = random.Next(1, 5);
                for (int i = 0; i < forged; i++)
                {
                    int slot = random.Next(slots);
                    BinaryPrimitives.WriteSingleLittleEndian(file.AsSpan(ModelFileBytes.HeaderLength + 4 * slot), values[i]);
                    log.Add($"parameter slot {slot} = 0x{BitConverter.SingleToUInt32Bits(values[i]):X8}");
                }

                ModelFileBytes.FixChecksum(file);
                log.Add("checksum fixed");
                return file;
            }
            case FileMutation.Truncate when file.Length > 0:
            {
                int length = random.Next(file.Length);
                log.Add($"truncate to {length} bytes");
                return file[..length];
            }
            case FileMutation.Append:
            {
                var extra = new byte[random.Next(1, 41)];
                random.NextBytes(extra);
                log.Add($"append {extra.Length} bytes");
                return [.. file, .. extra];
            }
            case FileMutation.FixChecksum:
                ModelFileBytes.FixChecksum(file);
                log.Add("checksum fixed");
                return file;
            default:
                log.Add($"{mutation}: file too short, skipped");
                return file;
        }
    }

    private static byte[] SetHeaderField(byte[] file, Random random, List<string> log)
    {
        (string Name, int Offset, int Length)[] fields =
        [
            ("magic", 0, 4), ("version", ModelFileBytes.VersionOffset, 4), ("d", ModelFileBytes.InputSizeOffset, 4),
            ("h", ModelFileBytes.HiddenSizeOffset, 4), ("o", ModelFileBytes.OutputSizeOffset, 4),
            ("activation", ModelFileBytes.ActivationOffset, 4), ("count", ModelFileBytes.CountOffset, 8),
        ];
        var (name, offset, length) = fields[random.Next(fields.Length)];
        if (file.Length < offset + length)
        {
            log.Add($"header field {name}: file too short, skipped");
            return file;
        }

        Span<byte> field = file.AsSpan(offset, length);
        if (length == 4)
        {
            int original = BinaryPrimitives.ReadInt32LittleEndian(field);
            int[] candidates = [0, 1, -1, 2, 7, int.MaxValue, int.MinValue, original + 1, original - 1, 46_341, 158_114, random.Next(), -random.Next()];
            int value = candidates[random.Next(candidates.Length)];
            BinaryPrimitives.WriteInt32LittleEndian(field, value);
            log.Add($"header field {name} = {value}");
        }
        else
        {
            long original = BinaryPrimitives.ReadInt64LittleEndian(field);
            long[] candidates = [0, 1, -1, long.MaxValue, long.MinValue, original + 1, original - 1, 25_000_000_000, int.MaxValue, random.NextInt64(), -random.NextInt64()];
            long value = candidates[random.Next(candidates.Length)];
            BinaryPrimitives.WriteInt64LittleEndian(field, value);
            log.Add($"header field {name} = {value}");
        }

        return file;
    }

    private static byte[] Reshape(byte[] file, Random random, List<string> log)
    {
        if (file.Length < ModelFileBytes.HeaderLength)
        {
            log.Add("reshape: file too short, skipped");
            return file;
        }

        bool huge = random.Next(10) == 0; // under the cap but far beyond the file: must read as truncated
        int d = random.Next(1, 7), h = huge ? 46_000 : random.Next(1, 9), o = random.Next(1, 5);
        long count = (long)h * (d + h + o + 1) + o;
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(ModelFileBytes.InputSizeOffset), d);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(ModelFileBytes.HiddenSizeOffset), h);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(ModelFileBytes.OutputSizeOffset), o);
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(ModelFileBytes.CountOffset), count);
        if (huge)
        {
            log.Add($"reshape header to d={d}, h={h}, o={o}, count {count}, payload left as it was");
            return file;
        }

        // Keep what parameters there are, fill the rest with random bytes, end with a correct checksum.
        var resized = new byte[ModelFileBytes.HeaderLength + 4 * count + 4];
        random.NextBytes(resized);
        file.AsSpan(0, Math.Min(file.Length, resized.Length - 4)).CopyTo(resized);
        ModelFileBytes.FixChecksum(resized);
        log.Add($"reshape to d={d}, h={h}, o={o}, count {count}, payload resized, checksum fixed");
        return resized;
    }
}
