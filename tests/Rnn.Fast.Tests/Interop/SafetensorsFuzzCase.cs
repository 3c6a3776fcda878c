using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Rnn.Fast.Tests.Serialization;
using static Rnn.Fast.Tests.Interop.SafetensorsBytes;

namespace Rnn.Fast.Tests.Interop;

/// <summary>One way <see cref="SafetensorsFuzzCase"/> changes a valid state_dict file.</summary>
public enum SafetensorsMutation
{
    /// <summary>Store one model tensor as F64, F16 or BF16 instead of F32 (a valid file).</summary>
    ConvertDtype,

    /// <summary>Give one tensor another dtype name without changing its bytes (I32, U32, an unknown name, F16).</summary>
    RetypeTensor,

    /// <summary>Remove one tensor.</summary>
    DropTensor,

    /// <summary>Rename one tensor: another prefix, another layer or direction, no prefix, or garbage.</summary>
    RenameTensor,

    /// <summary>Add a second RNN or head under another prefix.</summary>
    AddModule,

    /// <summary>Give one tensor another shape, with data of the new size.</summary>
    ReshapeTensor,

    /// <summary>Give the last tensor a shape far larger than the file, with consistent offsets.</summary>
    HugeShape,

    /// <summary>Add a tensor of another module, of any dtype the format defines (a valid file).</summary>
    AddOtherTensor,

    /// <summary>Set a metadata string: our nonlinearity or sizes, right or wrong.</summary>
    SetMetadata,

    /// <summary>Lay the tensors out in another order (a valid file).</summary>
    ShuffleEntries,

    /// <summary>Flip one random bit anywhere.</summary>
    FlipBit,

    /// <summary>Overwrite one random byte anywhere.</summary>
    SetByte,

    /// <summary>Overwrite one byte of the header with a character that matters to JSON or UTF-8.</summary>
    SetHeaderByte,

    /// <summary>Replace one number of the header (a dimension or an offset) with an extreme, nearby or malformed one.</summary>
    ChangeNumber,

    /// <summary>Overwrite the 8-byte header length.</summary>
    SetHeaderLength,

    /// <summary>Cut the file at a random length.</summary>
    Truncate,

    /// <summary>Append 1..40 random bytes.</summary>
    Append,
}

/// <summary>
/// One fuzz case: a small model's state_dict (d, h, o from FsCheck, values from the seed) built by the tests' own
/// writer, changed by 1..3 mutations in order: those on the tensor list first, then those on the bytes. Every choice
/// inside a mutation comes from the seed, so the printed case replays exactly.
/// </summary>
public sealed record SafetensorsFuzzCase(int InputSize, int HiddenSize, int OutputSize, SafetensorsMutation[] Mutations, int Seed)
{
    private static readonly SafetensorsMutation[] Structural =
    [
        SafetensorsMutation.ConvertDtype, SafetensorsMutation.RetypeTensor, SafetensorsMutation.DropTensor, SafetensorsMutation.RenameTensor,
        SafetensorsMutation.AddModule, SafetensorsMutation.ReshapeTensor, SafetensorsMutation.HugeShape, SafetensorsMutation.AddOtherTensor,
        SafetensorsMutation.SetMetadata, SafetensorsMutation.ShuffleEntries,
    ];

    /// <summary>
    /// d 1..5, h 1..6, o 1..4 (files of about 300 to 800 bytes), 1..3 mutations, weighted so that every check of the
    /// loader and its success path are reached often.
    /// </summary>
    public static Arbitrary<SafetensorsFuzzCase> Arbitrary { get; } = Arb.From(
        from d in Gen.Choose(1, 5)
        from h in Gen.Choose(1, 6)
        from o in Gen.Choose(1, 4)
        from count in Gen.Choose(1, 3)
        from mutations in Gen.ArrayOf(Gen.Frequency(
            (3, Gen.Constant(SafetensorsMutation.ConvertDtype)),
            (2, Gen.Constant(SafetensorsMutation.RetypeTensor)),
            (1, Gen.Constant(SafetensorsMutation.DropTensor)),
            (2, Gen.Constant(SafetensorsMutation.RenameTensor)),
            (1, Gen.Constant(SafetensorsMutation.AddModule)),
            (2, Gen.Constant(SafetensorsMutation.ReshapeTensor)),
            (1, Gen.Constant(SafetensorsMutation.HugeShape)),
            (2, Gen.Constant(SafetensorsMutation.AddOtherTensor)),
            (2, Gen.Constant(SafetensorsMutation.SetMetadata)),
            (2, Gen.Constant(SafetensorsMutation.ShuffleEntries)),
            (2, Gen.Constant(SafetensorsMutation.FlipBit)),
            (1, Gen.Constant(SafetensorsMutation.SetByte)),
            (3, Gen.Constant(SafetensorsMutation.SetHeaderByte)),
            (4, Gen.Constant(SafetensorsMutation.ChangeNumber)),
            (2, Gen.Constant(SafetensorsMutation.SetHeaderLength)),
            (2, Gen.Constant(SafetensorsMutation.Truncate)),
            (1, Gen.Constant(SafetensorsMutation.Append))), count)
        from seed in Gen.Choose(0, int.MaxValue)
        select new SafetensorsFuzzCase(d, h, o, mutations, seed));

    /// <summary>The model the case starts from.</summary>
    public RnnModel Model()
    {
        var shape = new RnnShape(InputSize, HiddenSize, OutputSize);
        return new RnnModel(shape, ModelFileBytes.AwkwardParameters(shape.ParameterCount, Seed));
    }

    /// <summary>The valid file the case starts from: the model's six F32 tensors under rnn. and fc., no metadata.</summary>
    public byte[] Original() => Build(ModelEntries(Model().Shape, Model().Parameters));

    /// <summary>Applies the mutations; <paramref name="log"/> gets one line per mutation, for failure messages.</summary>
    public byte[] Mutate(List<string> log)
    {
        var random = new Random(Seed ^ 0x5AFE);
        RnnModel model = Model();
        List<Entry> entries = ModelEntries(model.Shape, model.Parameters);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (SafetensorsMutation mutation in Mutations.Where(m => Structural.Contains(m)))
        {
            ApplyStructural(mutation, entries, metadata, random, log);
        }

        byte[] file = Build(entries, metadata.Count == 0 ? null : metadata);
        foreach (SafetensorsMutation mutation in Mutations.Where(m => !Structural.Contains(m)))
        {
            file = ApplyToBytes(mutation, file, random, log);
        }

        return file;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{nameof(SafetensorsFuzzCase)} {{ d={InputSize}, h={HiddenSize}, o={OutputSize}, mutations [{string.Join(", ", Mutations)}], seed {Seed} }}";

    private static void ApplyStructural(SafetensorsMutation mutation, List<Entry> entries, Dictionary<string, string> metadata, Random random, List<string> log)
    {
        if (entries.Count == 0 && mutation is not (SafetensorsMutation.AddOtherTensor or SafetensorsMutation.SetMetadata))
        {
            log.Add($"{mutation}: no tensors, skipped");
            return;
        }

        int index = entries.Count == 0 ? 0 : random.Next(entries.Count);
        switch (mutation)
        {
            case SafetensorsMutation.ConvertDtype:
            {
                Entry entry = entries[index];
                if (entry.DataType != "F32")
                {
                    log.Add($"convert {entry.Name}: not F32, skipped");
                    return;
                }

                float[] values = new float[entry.Data.Length / 4];
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(entry.Data.AsSpan(4 * i));
                string dtype = new[] { "F64", "F16", "BF16" }[random.Next(3)];
                byte[] data = dtype switch
                {
                    "F64" => values.SelectMany(v => BitConverter.GetBytes((double)v)).ToArray(),
                    "F16" => values.SelectMany(v => BitConverter.GetBytes((Half)v)).ToArray(),
                    _ => values.SelectMany(v => BitConverter.GetBytes((ushort)(BitConverter.SingleToUInt32Bits(v) >> 16))).ToArray(),
                };
                entries[index] = entry with { DataType = dtype, Data = data };
                log.Add($"convert {entry.Name} to {dtype}");
                return;
            }
            case SafetensorsMutation.RetypeTensor:
            {
                string dtype = new[] { "I32", "U32", "F31", "f32", "F16", "I64" }[random.Next(6)];
                entries[index] = entries[index] with { DataType = dtype };
                log.Add($"retype {entries[index].Name} as {dtype}");
                return;
            }
            case SafetensorsMutation.DropTensor:
                log.Add($"drop {entries[index].Name}");
                entries.RemoveAt(index);
                return;
            case SafetensorsMutation.RenameTensor:
            {
                string name = entries[index].Name;
                string[] choices =
                [
                    name.Replace("rnn.", "encoder.", StringComparison.Ordinal), name.Replace("fc.", "head.", StringComparison.Ordinal),
                    name.Replace("_l0", "_l1", StringComparison.Ordinal), name + "_reverse", name[(name.IndexOf('.') + 1)..],
                    "module." + name, name + "x", "weight", "x.weight_ih_l0",
                ];
                string renamed = choices[random.Next(choices.Length)];
                if (entries.Any(e => e.Name == renamed)) renamed += "_2";
                entries[index] = entries[index] with { Name = renamed };
                log.Add($"rename {name} to {renamed}");
                return;
            }
            case SafetensorsMutation.AddModule:
            {
                string from = random.Next(2) == 0 ? "rnn." : "fc.", to = random.Next(2) == 0 ? "other." : "fc_b.";
                entries.AddRange(entries.Where(e => e.Name.StartsWith(from, StringComparison.Ordinal))
                    .Select(e => e with { Name = to + e.Name[from.Length..] }).Where(e => entries.All(x => x.Name != e.Name)).ToList());
                log.Add($"copy the tensors under {from} to {to}");
                return;
            }
            case SafetensorsMutation.ReshapeTensor:
            {
                Entry entry = entries[index];
                if (entry.Offsets is not null)
                {
                    log.Add($"reshape {entry.Name}: its data is not in the file, skipped");
                    return;
                }

                long[] shape = random.Next(3) switch
                {
                    0 => [.. entry.Shape.Reverse()],
                    1 => [.. entry.Shape, 1],
                    _ => [.. entry.Shape.Select(s => Math.Max(0, s + random.Next(-1, 2)))],
                };
                long count = shape.Aggregate(1L, (a, b) => a * b);
                int size = Math.Max(1, SafetensorsSize(entry.DataType));
                var data = new byte[count * size];
                random.NextBytes(data);
                entries[index] = entry with { Shape = shape, Data = data };
                log.Add($"reshape {entry.Name} to [{string.Join(", ", shape)}]");
                return;
            }
            case SafetensorsMutation.HugeShape:
            {
                // Half the time the input weights, whose [h, 2^31] is consistent with every other tensor: too large a model.
                int inputWeights = entries.FindIndex(e => e.Name.EndsWith("weight_ih_l0", StringComparison.Ordinal));
                if (inputWeights >= 0 && random.Next(2) == 0) index = inputWeights;
                Entry entry = entries[index];
                entries.RemoveAt(index);
                long[] shape = new long[][] { [46_341, 46_341], [1L << 31, 4], [entry.Shape.FirstOrDefault(1), 1L << 31], [1L << 20] }[random.Next(4)];
                long start = entries.Sum(e => (long)e.Data.Length);
                long bytes = shape.Aggregate(1L, (a, b) => a * b) * Math.Max(1, SafetensorsSize(entry.DataType));
                entries.Add(entry with { Shape = shape, Data = [], Offsets = [start, start + bytes] });
                log.Add($"give {entry.Name} shape [{string.Join(", ", shape)}] ({bytes} bytes, not in the file)");
                return;
            }
            case SafetensorsMutation.AddOtherTensor:
            {
                string dtype = new[] { "I64", "BOOL", "U8", "F16", "BF16", "F64", "F32", "I8", "F8_E4M3", "U16" }[random.Next(10)];
                long[] shape = random.Next(3) == 0 ? [] : [random.Next(0, 5), random.Next(1, 4)];
                var data = new byte[shape.Aggregate(1L, (a, b) => a * b) * SafetensorsSize(dtype)];
                random.NextBytes(data);
                string name = new[] { "x_mean", "norm.running_var", "step", "embedding.weight" }[random.Next(4)];
                if (entries.Any(e => e.Name == name)) name += "_2";
                entries.Insert(random.Next(entries.Count + 1), new Entry(name, dtype, shape, data));
                log.Add($"add {name} {dtype} [{string.Join(", ", shape)}]");
                return;
            }
            case SafetensorsMutation.SetMetadata:
            {
                (string Key, string Value)[] choices =
                [
                    ("format", "pt"), ("rnn_fast.nonlinearity", "tanh"), ("rnn_fast.nonlinearity", "relu"), ("rnn_fast.nonlinearity", "gelu"),
                    ("rnn_fast.hidden_size", CountOf(entries, "rnn.weight_hh_l0")), ("rnn_fast.hidden_size", "7"), ("rnn_fast.input_size", "x"),
                ];
                var (key, value) = choices[random.Next(choices.Length)];
                metadata[key] = value;
                log.Add($"metadata {key} = {value}");
                return;
            }
            case SafetensorsMutation.ShuffleEntries:
            {
                Entry[] shuffled = [.. entries];
                random.Shuffle(shuffled);
                entries.Clear();
                entries.AddRange(shuffled);
                log.Add("shuffle the tensors");
                return;
            }
        }
    }

    private static byte[] ApplyToBytes(SafetensorsMutation mutation, byte[] file, Random random, List<string> log)
    {
        long headerLength = file.Length >= 8 ? BinaryPrimitives.ReadInt64LittleEndian(file) : -1;
        bool headerInFile = headerLength > 0 && 8 + headerLength <= file.Length;
        switch (mutation)
        {
            case SafetensorsMutation.FlipBit when file.Length > 0:
            {
                int offset = random.Next(file.Length), bit = random.Next(8);
                file[offset] ^= (byte)(1 << bit);
                log.Add($"flip bit {bit} of byte {offset}");
                return file;
            }
            case SafetensorsMutation.SetByte when file.Length > 0:
            {
                int offset = random.Next(file.Length);
                file[offset] = (byte)random.Next(256);
                log.Add($"byte {offset} = 0x{file[offset]:X2}");
                return file;
            }
            case SafetensorsMutation.SetHeaderByte when headerInFile:
            {
                byte[] choices = "{}[]\":,-0123456789 e."u8.ToArray().Concat(new byte[] { 0xFF, 0xC3, 0x80, 0x00, (byte)'\\' }).ToArray();
                int offset = 8 + random.Next((int)headerLength);
                file[offset] = choices[random.Next(choices.Length)];
                log.Add($"header byte {offset} = 0x{file[offset]:X2}");
                return file;
            }
            case SafetensorsMutation.ChangeNumber when headerInFile:
            {
                string header = Encoding.UTF8.GetString(file, 8, (int)headerLength);
                var numbers = System.Text.RegularExpressions.Regex.Matches(header, "[0-9]+").ToArray();
                if (numbers.Length == 0) break;
                var number = numbers[random.Next(numbers.Length)];
                long original = long.TryParse(number.Value, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed) ? parsed : 0;
                string[] candidates =
                [
                    "0", "1", (original + 1).ToString(CultureInfo.InvariantCulture), Math.Max(0, original - 1).ToString(CultureInfo.InvariantCulture),
                    (original + 4).ToString(CultureInfo.InvariantCulture), "4294967296", "9223372036854775807", "9223372036854775808",
                    "18446744073709551615", "18446744073709551616", "-1", "1e3", "3.0", "46341",
                ];
                string replacement = candidates[random.Next(candidates.Length)];
                string changed = header[..number.Index] + replacement + header[(number.Index + number.Length)..];
                log.Add($"header number at {number.Index}: {number.Value} → {replacement}");
                return Assemble(Encoding.UTF8.GetBytes(changed), file[(8 + (int)headerLength)..], padTo: 1);
            }
            case SafetensorsMutation.SetHeaderLength when file.Length >= 8:
            {
                ulong[] candidates =
                [
                    0, (ulong)headerLength - 1, (ulong)headerLength + 1, (ulong)headerLength + 8, (ulong)file.Length, 100_000_000, 100_000_001,
                    ulong.MaxValue, (ulong)random.NextInt64(),
                ];
                ulong length = candidates[random.Next(candidates.Length)];
                BinaryPrimitives.WriteUInt64LittleEndian(file, length);
                log.Add($"header length = {length}");
                return file;
            }
            case SafetensorsMutation.Truncate when file.Length > 0:
            {
                int length = random.Next(file.Length);
                log.Add($"truncate to {length} bytes");
                return file[..length];
            }
            case SafetensorsMutation.Append:
            {
                var extra = new byte[random.Next(1, 41)];
                random.NextBytes(extra);
                log.Add($"append {extra.Length} bytes");
                return [.. file, .. extra];
            }
        }

        log.Add($"{mutation}: not applicable, skipped");
        return file;
    }

    private static string CountOf(List<Entry> entries, string name) =>
        entries.FirstOrDefault(e => e.Name == name)?.Shape.FirstOrDefault().ToString(CultureInfo.InvariantCulture) ?? "1";

    private static int SafetensorsSize(string dtype) => dtype switch
    {
        "F64" or "I64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "U16" => 2,
        _ => 1,
    };
}
