using System.Buffers.Binary;
using System.Text;
using Rnn.Fast.Interop;
using Rnn.Fast.Tests.Serialization;
using static Rnn.Fast.Tests.Interop.SafetensorsBytes;

namespace Rnn.Fast.Tests.Interop;

/// <summary>
/// Each kind of bad input gives <see cref="InvalidModelFileException"/> whose message starts with the file's path and
/// the problem's documented name, and names the tensor and what was expected; loads from a seekable stream, an
/// unseekable one and a path agree; and nothing is allocated for sizes the file does not hold.
/// </summary>
public sealed class PyTorchSafetensorsRejectionTests
{
    private static readonly RnnShape Shape = new(3, 4, 2);

    private static List<Entry> Valid() => ModelEntries(Shape, new RnnModel(Shape, seed: 5).Parameters);

    private static Entry With(Entry entry, string? dtype = null, long[]? shape = null, byte[]? data = null, long[]? offsets = null) =>
        entry with { DataType = dtype ?? entry.DataType, Shape = shape ?? entry.Shape, Data = data ?? entry.Data, Offsets = offsets ?? entry.Offsets };

    public static TheoryData<string, byte[], string[]> BadFiles()
    {
        byte[] valid = Build(Valid());
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(valid);
        var data = new TheoryData<string, byte[], string[]>
        {
            { "truncated", valid[..5], ["ends after 5 bytes", "8-byte header length"] },
            { "truncated", valid[..40], [$"header length says {headerLength} bytes", "only 32 bytes follow"] },
            { "truncated", valid[..^3], ["describes", "bytes of tensor data"] },
            { "header too large", HeaderLength(valid, 100_000_001), ["100000001 bytes", "at most 100000000"] },
            { "truncated", HeaderLength(valid, 99_999_999), ["header length says 99999999 bytes"] },
            { "trailing data", [.. valid, 0, 0], ["2 bytes follow the data section"] },
            { "invalid header", Assemble("[1, 2]"u8.ToArray(), []), ["starts with '{'", "byte 0x5B"] },
            { "invalid header", Assemble("{\"a\": }"u8.ToArray(), []), ["malformed"] },
            { "invalid header", Assemble([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'], []), ["byte 2", "not valid UTF-8"] },
            { "invalid header", Assemble(Encoding.UTF8.GetBytes("{\"x\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},\"x\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[4,8]}}"), new byte[8]), ["the key 'x' appears twice"] },
            { "invalid header", Assemble(Encoding.UTF8.GetBytes("{\"x\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}"), new byte[4]), ["tensor 'x' has 'dtype' twice"] },
            { "invalid header", Build([With(Valid()[0], dtype: "F31")]), ["dtype 'F31'", "does not define"] },
            { "invalid header", Build([With(Valid()[0], shape: [-4, 3])]), ["shape must hold integers from 0"] },
            { "shape overflow", Build([With(Valid()[0], shape: [1L << 40, 1L << 40, 0])]), ["tensor 'rnn.weight_ih_l0'", "does not fit in 63 bits"] },
            { "invalid offsets", Build([With(Valid()[0], offsets: [0, 44])]), ["tensor 'rnn.weight_ih_l0'", "holds 48 bytes", "[0, 44)"] },
            { "invalid offsets", Build([Valid()[0], With(Valid()[1], offsets: [40, 104])]), ["tensor 'rnn.weight_hh_l0' begins at byte 40 and overlaps tensor 'rnn.weight_ih_l0'"] },
            { "invalid offsets", Build([Valid()[0], With(Valid()[1], offsets: [52, 116])]), ["leaves a gap after tensor 'rnn.weight_ih_l0'"] },
            { "truncated", Build([.. Valid(), new Entry("big", "F32", [1_000_000], [], [DataLength(Valid()), DataLength(Valid()) + 4_000_000])]), ["describes 4000184 bytes of tensor data"] },
            { "missing tensor", Build(Valid().Where(e => e.Name != "rnn.weight_hh_l0").ToList()), ["'rnn.weight_hh_l0' is not in the file"] },
            { "missing tensor", Build(Valid().Where(e => e.Name != "rnn.bias_hh_l0").ToList()), ["'rnn.bias_hh_l0'", "both biases, or neither"] },
            { "wrong shape", Build([Valid()[0], With(Valid()[1], shape: [4, 3], data: new byte[48]), .. Valid()[2..]]), ["tensor 'rnn.weight_hh_l0' is [4, 3]", "[h, h] = [4, 4]"] },
            { "no head", Build([.. Valid()[..4], With(Valid()[4], shape: [2, 3], data: new byte[24]), Valid()[5]]), ["no nn.Linear weight [o, 4]", "found fc.weight [2, 3]"] },
            { "wrong shape", Build([.. Valid()[..2], With(Valid()[2], shape: [2, 2]), .. Valid()[3..]]), ["tensor 'rnn.bias_ih_l0' is [2, 2]", "[h] = [4]"] },
            { "unsupported dtype", Build([With(Valid()[0], dtype: "I32"), .. Valid()[1..]]), ["tensor 'rnn.weight_ih_l0' is I32", "F32, F64, F16 and BF16"] },
            { "unexpected tensor", Build([.. Valid(), new Entry("rnn.weight_ih_l0_scale", "F32", [1], new byte[4])]), ["'rnn.weight_ih_l0_scale'", "under the RNN's prefix 'rnn.'"] },
            { "unexpected tensor", Build([.. Valid(), new Entry("fc.scale", "F32", [1], new byte[4])]), ["'fc.scale'", "nn.Linear"] },
            { "no recurrent layer", Build([Valid()[4], Valid()[5]]), ["no key ends with 'weight_ih_l0'", "'fc.weight'"] },
            { "metadata mismatch", Build(Valid(), new Dictionary<string, string> { ["rnn_fast.hidden_size"] = "5" }), ["'rnn_fast.hidden_size' says '5'", "the tensors give 4"] },
            { "metadata mismatch", Build(Valid(), new Dictionary<string, string> { ["rnn_fast.nonlinearity"] = "sigmoid" }), ["'sigmoid'"] },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void EachBadFileGivesTheDocumentedProblemNamingWhatWasExpected(string problem, byte[] file, string[] details)
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("bad.safetensors");
        File.WriteAllBytes(path, file);
        var fromPath = Assert.Throws<InvalidModelFileException>(() => PyTorchSafetensors.Load(path));
        Assert.StartsWith($"{path}: {problem}", fromPath.Message, StringComparison.Ordinal);
        foreach (string detail in details) Assert.Contains(detail, fromPath.Message, StringComparison.Ordinal);

        // The streams say the same without the path (trailing data is a property of a whole file only).
        if (problem == "trailing data") return;
        string expected = fromPath.Message[(path.Length + 2)..];
        Assert.Equal(expected, Assert.Throws<InvalidModelFileException>(() => PyTorchSafetensors.Load(new MemoryStream(file, writable: false))).Message);
        string unseekable = Assert.Throws<InvalidModelFileException>(() => PyTorchSafetensors.Load(new RestrictedStream(file, canSeek: false))).Message;
        // A stream without a length finds a short file only when it runs out, so its figures may differ; the problem does not.
        Assert.StartsWith(problem, unseekable, StringComparison.Ordinal);
        if (problem != "truncated") Assert.Equal(expected, unseekable);
    }

    /// <summary>A header length or a tensor size far beyond the file costs no more memory than the file itself.</summary>
    [Theory]
    [InlineData(99_999_999L, 0L)]
    [InlineData(0L, 1L << 31)]
    public void ForgedSizesAllocateNoMoreThanTheFileHolds(long headerLength, long tensorBytes)
    {
        // The forged head weight is [2^27, 4]: a model of 2^29 parameters that fits in one buffer, whose 2 GiB the file does not hold.
        byte[] file = headerLength > 0
            ? HeaderLength(Build(Valid()), headerLength)
            : Build([.. Valid()[..4], With(Valid()[4], shape: [tensorBytes / 16, 4], data: [], offsets: [DataLength(Valid()[..4]), DataLength(Valid()[..4]) + tensorBytes])]);
        foreach (Func<Stream> stream in new Func<Stream>[] { () => new MemoryStream(file, writable: false), () => new RestrictedStream(file, canSeek: false) })
        {
            Stream source = stream();
            long before = GC.GetAllocatedBytesForCurrentThread();
            Assert.Throws<InvalidModelFileException>(() => PyTorchSafetensors.Load(source));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 1024 * 1024, $"a {file.Length}-byte file cost {allocated} bytes ({source.GetType().Name}).");
        }
    }

    [Fact]
    public void AReluRnnSavedWithOurMetadataIsNotSupported()
    {
        byte[] file = Build(Valid(), new Dictionary<string, string> { ["rnn_fast.nonlinearity"] = "relu" });
        var error = Assert.Throws<NotSupportedException>(() => PyTorchSafetensors.Load(new MemoryStream(file)));
        Assert.Contains("relu", error.Message, StringComparison.Ordinal);
        // Said by the caller: refused before the file is opened.
        Assert.Throws<NotSupportedException>(() => PyTorchSafetensors.Load("/nonexistent.safetensors", new PyTorchImportOptions { Nonlinearity = RnnNonlinearity.Relu }));
    }

    [Fact]
    public void TheFormatsOwnLatitudeIsAccepted()
    {
        // Unknown entry members are skipped, metadata may be null, the header need not be padded, entries may come in
        // any order, and tensors of other modules may have any dtype the format defines.
        List<Entry> entries = Valid();
        entries.Reverse();
        entries[0] = entries[0] with { Extra = ",\"note\":{\"any\":[1,2]}" };
        entries.Add(new Entry("step", "I64", [], new byte[8]));
        entries.Add(new Entry("empty", "BF16", [0, 3], []));
        byte[] file = Build(entries, padTo: 1);
        PyTorchImport import = PyTorchSafetensors.Load(new MemoryStream(file));
        Assert.Equal(Shape, import.Shape);
        Assert.Equal(["step", "empty"], import.IgnoredTensors.Select(t => t.Name));

        Assert.Equal(Shape, PyTorchSafetensors.Load(new MemoryStream(Build(Valid(), rawMetadata: "null"))).Shape);
    }

    private static long DataLength(IEnumerable<Entry> entries) => entries.Sum(e => (long)e.Data.Length);

    private static byte[] HeaderLength(byte[] file, long length)
    {
        byte[] copy = (byte[])file.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(copy, length);
        return copy;
    }
}
