using System.Reflection;
using System.Text.Json;

namespace Rnn.Fast.Benchmarks;

/// <summary>
/// One of the standard benchmark shapes that every Rnn.Fast benchmark and comparison uses: batch n, input d,
/// hidden h, output o, sequence length T. They are read from perf/bench-configs.json (a copy of the team's shared
/// file, embedded in this assembly), so there is one list of shapes.
/// </summary>
public sealed record BenchmarkConfig(string Name, int BatchSize, int InputSize, int HiddenSize, int OutputSize, int SequenceLength)
{
    /// <summary>Every standard shape, in the file's order.</summary>
    public static IReadOnlyList<BenchmarkConfig> All { get; } = Load();

    /// <summary>The standard shape called <paramref name="name"/>.</summary>
    public static BenchmarkConfig Named(string name) =>
        All.FirstOrDefault(c => c.Name == name) ?? throw new ArgumentException($"No benchmark config is called '{name}'.", nameof(name));

    /// <summary>The network's sizes.</summary>
    public RnnShape Shape => new(InputSize, HiddenSize, OutputSize);

    /// <summary>T·n: the rows of every all-time-steps matrix.</summary>
    public int Rows => SequenceLength * BatchSize;

    /// <inheritdoc/>
    public override string ToString() => Name;

    private static BenchmarkConfig[] Load()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("bench-configs.json")
            ?? throw new InvalidOperationException("bench-configs.json is not embedded in the benchmark assembly.");
        using JsonDocument document = JsonDocument.Parse(stream);
        return [.. document.RootElement.GetProperty("configs").EnumerateArray().Select(c => new BenchmarkConfig(
            c.GetProperty("name").GetString()!, c.GetProperty("n").GetInt32(), c.GetProperty("d").GetInt32(),
            c.GetProperty("h").GetInt32(), c.GetProperty("o").GetInt32(), c.GetProperty("T").GetInt32()))];
    }
}
