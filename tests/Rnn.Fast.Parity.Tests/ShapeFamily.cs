namespace Rnn.Fast.Parity.Tests;

/// <summary>
/// Small versions of one standard benchmark config (perf/bench-configs.json): ranges around its sizes, scaled down
/// where the naive reference would be slow, from which a few random parity problems are drawn.
/// </summary>
/// <param name="Name">The config it stands for: seed, stream, small, medium, large or ds2.</param>
public sealed record ShapeFamily(string Name, (int Min, int Max) BatchSize, (int Min, int Max) InputSize,
    (int Min, int Max) HiddenSize, (int Min, int Max) OutputSize, (int Min, int Max) SequenceLength)
{
    /// <summary>Problems drawn per family.</summary>
    public const int CasesPerFamily = 3;

    /// <summary>
    /// One family per standard config. seed, stream and small keep their sizes (T and the widths vary around
    /// them); medium keeps its widths with n and T halved or less; large and ds2 keep wide hidden layers (h up
    /// to 1024 and 1760, so the long dot products are there) with a few steps and sequences only.
    /// </summary>
    public static IReadOnlyList<ShapeFamily> All { get; } =
    [
        new("seed", (1, 2), (1, 2), (12, 20), (1, 2), (3, 8)),
        new("stream", (1, 1), (24, 40), (100, 140), (24, 40), (1, 2)),
        new("small", (1, 1), (24, 40), (100, 140), (24, 40), (32, 64)),
        new("medium", (4, 16), (48, 64), (160, 256), (48, 64), (16, 32)),
        new("large", (2, 4), (128, 256), (600, 1024), (128, 256), (3, 6)),
        new("ds2", (1, 1), (1200, 1760), (1200, 1760), (16, 29), (2, 4)),
    ];

    /// <summary>The family called <paramref name="name"/>.</summary>
    public static ShapeFamily Named(string name) => All.Single(f => f.Name == name);

    /// <summary>Problem number <paramref name="index"/> of this family: the same sizes and values in every run.</summary>
    public ParityCase Case(int index)
    {
        var random = new Random(1000 * (All.ToList().IndexOf(this) + 1) + index);
        int Draw((int Min, int Max) range) => random.Next(range.Min, range.Max + 1);
        return new ParityCase(Draw(BatchSize), Draw(InputSize), Draw(HiddenSize), Draw(OutputSize), Draw(SequenceLength), Seed: 7 + index);
    }
}
