namespace Rnn.Fast.Compare;

/// <summary>One benchmark case from one or more BenchmarkDotNet full JSON reports.</summary>
/// <param name="FullName">The method with its parameter values: the key two runs are matched by.</param>
/// <param name="Launches">Nanoseconds per operation of every measured workload iteration (stage Result), one list
/// per launch: a launch is one benchmark process, and every report file's launches count separately. Empty when the
/// benchmark failed: BenchmarkDotNet lists a benchmark that threw or crashed with no measurements.</param>
/// <param name="AllocatedBytesPerOperation">From the memory diagnoser; null when it was off.</param>
/// <remarks>
/// Iterations inside one process share its memory layout, code alignment and the host's state at that moment, so
/// their spread understates how much a second run differs (on the development VM a second run of the same build moved
/// single benchmarks by −36% to +53% while each run's own standard deviation was about 1%). So when a benchmark has
/// two launches or more, its <see cref="Samples"/> are the launch medians — one number per process — and the
/// statistical test compares processes, not iterations. Run the suite with <c>--launchCount 5</c> (or put several
/// runs' reports in the baseline folder) to get them.
/// </remarks>
public sealed record BenchmarkResult(string FullName, IReadOnlyList<IReadOnlyList<double>> Launches, long? AllocatedBytesPerOperation)
{
    /// <summary>A result of one launch.</summary>
    /// <param name="fullName">The method with its parameter values.</param>
    /// <param name="samples">Nanoseconds per operation of each iteration.</param>
    /// <param name="allocatedBytesPerOperation">From the memory diagnoser; null when it was off.</param>
    public BenchmarkResult(string fullName, IReadOnlyList<double> samples, long? allocatedBytesPerOperation)
        : this(fullName, [samples], allocatedBytesPerOperation)
    {
    }

    /// <summary>A benchmark that is in a report without measurements: it threw, crashed or never ran.</summary>
    /// <param name="fullName">The method with its parameter values.</param>
    public static BenchmarkResult Failed(string fullName) => new(fullName, Array.Empty<IReadOnlyList<double>>(), null);

    /// <summary>Whether the benchmark produced a result; false when it failed.</summary>
    public bool HasMeasurements => Launches.Count > 0;

    /// <summary>
    /// What the test compares: the launch medians when there are two launches or more, else the iterations of the one
    /// launch; empty when the benchmark failed.
    /// </summary>
    public IReadOnlyList<double> Samples => Launches.Count switch
    {
        0 => [],
        1 => Launches[0],
        _ => [.. Launches.Select(MedianOf)],
    };

    /// <summary>The median of every iteration of every launch; NaN when the benchmark failed.</summary>
    public double Median => HasMeasurements ? MedianOf([.. Launches.SelectMany(l => l)]) : double.NaN;

    /// <summary>This result and <paramref name="other"/> (the same benchmark from another report) as one, launches side by side.</summary>
    public BenchmarkResult CombinedWith(BenchmarkResult other) =>
        new(FullName, [.. Launches, .. other.Launches],
            AllocatedBytesPerOperation is null && other.AllocatedBytesPerOperation is null
                ? null
                : Math.Max(AllocatedBytesPerOperation ?? 0, other.AllocatedBytesPerOperation ?? 0));

    private static double MedianOf(IReadOnlyList<double> values)
    {
        double[] sorted = [.. values.Order()];
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
