namespace Rnn.Fast.Benchmarks;

/// <summary>
/// One of the standard benchmark shapes that every Rnn.Fast benchmark and comparison uses (the project's
/// bench-configs.json): batch n, input d, hidden h, output o, sequence length T.
/// </summary>
public sealed record BenchmarkConfig(string Name, int BatchSize, int InputSize, int HiddenSize, int OutputSize, int SequenceLength)
{
    /// <summary>Every standard shape, smallest first.</summary>
    public static IReadOnlyList<BenchmarkConfig> All { get; } =
    [
        new("seed", 1, 1, 16, 1, 5),            // the tutorial: predict the next number of 1, 3, 5, 7, 9
        new("stream", 1, 32, 128, 32, 1),       // one streaming step with a carried hidden state
        new("small", 1, 32, 128, 32, 64),       // one short sequence, batch 1
        new("medium", 32, 64, 256, 64, 64),     // mini-batch training
        new("large", 64, 256, 1024, 256, 32),   // throughput; Whh is 4 MiB, beyond L2
        new("ds2", 1, 1760, 1760, 29, 50),      // DeepSpeech2 shape (oneDNN benchdnn), inference only
    ];

    /// <summary>The standard shape called <paramref name="name"/>.</summary>
    public static BenchmarkConfig Named(string name) =>
        All.FirstOrDefault(c => c.Name == name) ?? throw new ArgumentException($"No benchmark config is called '{name}'.", nameof(name));

    /// <summary>The network's sizes.</summary>
    public RnnShape Shape => new(InputSize, HiddenSize, OutputSize);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
