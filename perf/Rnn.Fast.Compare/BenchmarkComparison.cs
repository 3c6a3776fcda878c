namespace Rnn.Fast.Compare;

/// <summary>One benchmark matched across two runs, with its verdict.</summary>
/// <param name="FullName">The benchmark and its parameters.</param>
/// <param name="Baseline">The baseline's result, if it has this benchmark with measurements.</param>
/// <param name="Current">The new run's result, if it has this benchmark (without measurements when it failed).</param>
/// <param name="Verdict">The verdict.</param>
/// <param name="PValue">The one-sided test's p-value behind a Faster or Slower verdict (else the smaller of the two); NaN without a test.</param>
public sealed record BenchmarkComparison(string FullName, BenchmarkResult? Baseline, BenchmarkResult? Current, Verdict Verdict, double PValue)
{
    /// <summary>Current median over baseline median; NaN when one side has no measurements.</summary>
    public double Ratio => Baseline is null || Current is null ? double.NaN : Current.Median / Baseline.Median;

    /// <summary>Whether this line is a performance regression: slower beyond the threshold, or allocating more.</summary>
    public bool IsRegression => Verdict is Verdict.Slower or Verdict.AllocatesMore;

    /// <summary>Whether the baseline's benchmark has no result in the new run: absent from it, or failed in it.</summary>
    public bool IsMissingOrFailed => Verdict is Verdict.Missing or Verdict.Failed;

    /// <summary>
    /// Compares two runs. A benchmark is Slower when its samples are significantly (one-sided Mann–Whitney,
    /// p ≤ <paramref name="significance"/>) above the baseline's samples multiplied by 1 + threshold: a slowdown
    /// smaller than the threshold, or one that the noise could explain, is not a regression. Faster mirrors it.
    /// A benchmark of the new run without measurements is Failed; one of the baseline absent from the new run is
    /// Missing. A baseline benchmark without measurements counts as absent from the baseline.
    /// </summary>
    /// <param name="baseline">The baseline run.</param>
    /// <param name="current">The new run.</param>
    /// <param name="threshold">The relative change that matters, e.g. 0.10 for 10%.</param>
    /// <param name="significance">The largest p-value that counts as significant, e.g. 0.05.</param>
    public static IReadOnlyList<BenchmarkComparison> Compare(IReadOnlyList<BenchmarkResult> baseline, IReadOnlyList<BenchmarkResult> current,
        double threshold, double significance)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(significance);
        var before = baseline.Where(r => r.HasMeasurements).GroupBy(r => r.FullName).ToDictionary(g => g.Key, g => g.Last());
        var after = current.GroupBy(r => r.FullName).ToDictionary(g => g.Key, g => g.Last());
        var lines = new List<BenchmarkComparison>();
        foreach (string name in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            before.TryGetValue(name, out BenchmarkResult? b);
            after.TryGetValue(name, out BenchmarkResult? c);
            if (c is { HasMeasurements: false })
            {
                lines.Add(new BenchmarkComparison(name, b, c, Verdict.Failed, double.NaN));
                continue;
            }

            if (b is null || c is null)
            {
                lines.Add(new BenchmarkComparison(name, b, c, b is null ? Verdict.Added : Verdict.Missing, double.NaN));
                continue;
            }

            double pSlower = MannWhitney.PValueGreater(b.Samples, c.Samples, threshold);
            double pFaster = MannWhitney.PValueGreater(c.Samples, b.Samples, threshold);
            Verdict verdict = (c.AllocatedBytesPerOperation ?? 0) > (b.AllocatedBytesPerOperation ?? 0) ? Verdict.AllocatesMore
                : MannWhitney.IsAtMost(pSlower, significance) ? Verdict.Slower
                : MannWhitney.IsAtMost(pFaster, significance) ? Verdict.Faster
                : Verdict.Same;
            lines.Add(new BenchmarkComparison(name, b, c, verdict, verdict == Verdict.Faster ? pFaster : verdict == Verdict.Slower ? pSlower : Math.Min(pSlower, pFaster)));
        }

        return lines;
    }
}
