using System.Reflection;
using System.Text.Json;

namespace Rnn.Fast.Cli.Bench;

/// <summary>
/// One of the repository's standard benchmark shapes (perf/bench-configs.json, embedded in the tool so that
/// <c>rnn bench</c> and the BenchmarkDotNet suites measure the same shapes): batch n, input d, hidden h, output o,
/// sequence length T, and why the shape is in the list.
/// </summary>
/// <param name="Name">The config's name.</param>
/// <param name="BatchSize">n.</param>
/// <param name="InputSize">d.</param>
/// <param name="HiddenSize">h.</param>
/// <param name="OutputSize">o.</param>
/// <param name="SequenceLength">T.</param>
/// <param name="InferenceOnly">True for a shape measured for inference only (ds2).</param>
public sealed record BenchConfig(string Name, int BatchSize, int InputSize, int HiddenSize, int OutputSize, int SequenceLength, bool InferenceOnly)
{
    /// <summary>Every standard shape, in the file's order.</summary>
    public static IReadOnlyList<BenchConfig> All { get; } = Load();

    /// <summary>The network's sizes.</summary>
    public RnnShape Shape => new(InputSize, HiddenSize, OutputSize);

    private static BenchConfig[] Load()
    {
        using Stream stream = typeof(BenchConfig).Assembly.GetManifestResourceStream("bench-configs.json")
            ?? throw new InvalidOperationException("bench-configs.json is not embedded in the rnn assembly.");
        using JsonDocument document = JsonDocument.Parse(stream);
        return [.. document.RootElement.GetProperty("configs").EnumerateArray().Select(c => new BenchConfig(
            c.GetProperty("name").GetString()!, c.GetProperty("n").GetInt32(), c.GetProperty("d").GetInt32(), c.GetProperty("h").GetInt32(),
            c.GetProperty("o").GetInt32(), c.GetProperty("T").GetInt32(),
            // The file says so in words ("inference workloads only"); the flag keeps one list of shapes.
            c.GetProperty("why").GetString()!.Contains("inference workloads only", StringComparison.Ordinal)))];
    }
}
