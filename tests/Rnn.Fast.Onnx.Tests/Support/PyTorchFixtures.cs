using System.Text.Json;

namespace Rnn.Fast.Onnx.Tests.Support;

/// <summary>
/// The committed PyTorch fixtures (tests/Fixtures/pytorch): files real torch.onnx.export wrote, and the manifest that
/// describes them. Tests read shapes and names from the manifest rather than repeat them.
/// </summary>
public static class PyTorchFixtures
{
    /// <summary>tests/Fixtures/pytorch, found above the test's build output.</summary>
    public static string Folder { get; } = FindFolder();

    private static readonly Lazy<JsonDocument> s_manifest = new(() => JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(Folder, "manifest.json"))));

    /// <summary>The full path of a fixture file.</summary>
    public static string File(string name) => Path.Combine(Folder, name);

    /// <summary>Every case of the manifest.</summary>
    public static IEnumerable<JsonElement> Cases => s_manifest.Value.RootElement.GetProperty("cases").EnumerateArray();

    /// <summary>The case called <paramref name="name"/>.</summary>
    public static JsonElement Case(string name) => Cases.Single(c => c.GetProperty("name").GetString() == name);

    /// <summary>Every ONNX file of the manifest with its case and its own entry, for cases of the given kind.</summary>
    public static IEnumerable<(JsonElement Case, JsonElement Onnx)> OnnxFiles(string kind) =>
        from c in Cases
        where c.GetProperty("kind").GetString() == kind && c.TryGetProperty("onnx", out _)
        from onnx in c.GetProperty("onnx").EnumerateArray()
        select (c, onnx);

    /// <summary>A raw little-endian float32 array of the fixtures.</summary>
    public static float[] Floats(string name)
    {
        byte[] bytes = System.IO.File.ReadAllBytes(File(name));
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    private static string FindFolder()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.Combine(folder.FullName, "tests", "Fixtures", "pytorch");
            if (System.IO.File.Exists(Path.Combine(candidate, "manifest.json"))) return candidate;
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds tests/Fixtures/pytorch/manifest.json.");
    }
}
