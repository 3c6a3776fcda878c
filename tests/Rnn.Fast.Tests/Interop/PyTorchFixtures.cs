using System.Buffers.Binary;
using System.Text.Json;

namespace Rnn.Fast.Tests.Interop;

/// <summary>
/// The real PyTorch fixtures (tests/Fixtures/pytorch, copied beside the test assembly): the manifest, the raw arrays,
/// and a minimal safetensors reader of the tests' own, which shares no code with the library's, for the expected
/// values (torch's <c>as_f32</c> conversions, gradients) and for checking the files the library writes.
/// </summary>
public static class PyTorchFixtures
{
    /// <summary>The fixture folder in the test output.</summary>
    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch");

    private static readonly Lazy<JsonDocument> ManifestDocument = new(() => JsonDocument.Parse(System.IO.File.ReadAllBytes(Path.Combine(Folder, "manifest.json"))));

    /// <summary>The full path of a fixture file.</summary>
    public static string File(string name) => Path.Combine(Folder, name);

    /// <summary>Every case of the manifest.</summary>
    public static IEnumerable<JsonElement> Cases => ManifestDocument.Value.RootElement.GetProperty("cases").EnumerateArray();

    /// <summary>The case called <paramref name="name"/>.</summary>
    public static JsonElement Case(string name) => Cases.Single(c => c.GetProperty("name").GetString() == name);

    /// <summary>The names of the cases of one kind (supported, dtype, dtype_edge, prefix, unsupported).</summary>
    public static TheoryData<string> CaseNames(string kind)
    {
        var data = new TheoryData<string>();
        foreach (JsonElement c in Cases.Where(c => c.GetProperty("kind").GetString() == kind)) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    /// <summary>A raw little-endian float32 file, as float.</summary>
    public static float[] ReadF32(string name)
    {
        byte[] bytes = System.IO.File.ReadAllBytes(File(name));
        var values = new float[bytes.Length / 4];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * i));
        return values;
    }

    /// <summary>A raw little-endian float64 file.</summary>
    public static double[] ReadF64(string name)
    {
        byte[] bytes = System.IO.File.ReadAllBytes(File(name));
        var values = new double[bytes.Length / 8];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(8 * i));
        return values;
    }

    /// <summary>
    /// The tensors of a safetensors file, read the simplest way: the 8-byte length, JsonDocument over the header,
    /// each tensor's raw bytes at its offsets. No checks beyond what the tests need; the files here are well formed.
    /// </summary>
    public static Dictionary<string, RawTensor> ReadSafetensors(byte[] file)
    {
        long length = BinaryPrimitives.ReadInt64LittleEndian(file);
        using JsonDocument header = JsonDocument.Parse(file.AsMemory(8, (int)length));
        var tensors = new Dictionary<string, RawTensor>(StringComparer.Ordinal);
        foreach (JsonProperty entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__") continue;
            long[] offsets = [.. entry.Value.GetProperty("data_offsets").EnumerateArray().Select(v => v.GetInt64())];
            tensors.Add(entry.Name, new RawTensor(
                entry.Value.GetProperty("dtype").GetString()!,
                [.. entry.Value.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64())],
                file.AsSpan((int)(8 + length + offsets[0]), (int)(offsets[1] - offsets[0])).ToArray()));
        }

        return tensors;
    }

    /// <summary>The <c>__metadata__</c> strings of a safetensors file (empty when it has none).</summary>
    public static Dictionary<string, string> ReadMetadata(byte[] file)
    {
        long length = BinaryPrimitives.ReadInt64LittleEndian(file);
        using JsonDocument header = JsonDocument.Parse(file.AsMemory(8, (int)length));
        return header.RootElement.TryGetProperty("__metadata__", out JsonElement metadata)
            ? metadata.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
            : [];
    }

    /// <summary>The tensors of a fixture file (see <see cref="ReadSafetensors(byte[])"/>).</summary>
    public static Dictionary<string, RawTensor> ReadSafetensors(string name) => ReadSafetensors(System.IO.File.ReadAllBytes(File(name)));
}

/// <summary>A tensor as a safetensors file stores it: dtype, shape and little-endian bytes.</summary>
public sealed record RawTensor(string DataType, long[] Shape, byte[] Bytes)
{
    /// <summary>The values of an F32 tensor, bit for bit.</summary>
    public float[] Singles()
    {
        Assert.Equal("F32", DataType);
        var values = new float[Bytes.Length / 4];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(Bytes.AsSpan(4 * i));
        return values;
    }

    /// <summary>
    /// An F64, F16 or BF16 tensor converted to F32 as IEEE 754 says (F64 rounded to nearest even, the others widened);
    /// any other tensor as it is.
    /// </summary>
    public RawTensor AsSingle()
    {
        int size = DataType switch { "F64" => 8, "F16" or "BF16" => 2, _ => 0 };
        if (size == 0) return this;
        var values = new float[Bytes.Length / size];
        for (int i = 0; i < values.Length; i++)
        {
            ReadOnlySpan<byte> element = Bytes.AsSpan(size * i, size);
            values[i] = DataType switch
            {
                "F64" => (float)BitConverter.ToDouble(element),
                "F16" => (float)BitConverter.ToHalf(element),
                _ => BitConverter.UInt32BitsToSingle((uint)BitConverter.ToUInt16(element) << 16),
            };
        }

        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return new RawTensor("F32", Shape, bytes);
    }

    /// <summary>The values of an F64 tensor.</summary>
    public double[] Doubles()
    {
        Assert.Equal("F64", DataType);
        var values = new double[Bytes.Length / 8];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadDoubleLittleEndian(Bytes.AsSpan(8 * i));
        return values;
    }
}
