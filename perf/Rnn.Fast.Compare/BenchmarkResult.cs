namespace Rnn.Fast.Compare;

/// <summary>One benchmark case from a BenchmarkDotNet full JSON report.</summary>
/// <param name="FullName">The method with its parameter values: the key two runs are matched by.</param>
/// <param name="Samples">Nanoseconds per operation of every measured workload iteration (stage Result).</param>
/// <param name="AllocatedBytesPerOperation">From the memory diagnoser; null when it was off.</param>
public sealed record BenchmarkResult(string FullName, IReadOnlyList<double> Samples, long? AllocatedBytesPerOperation)
{
    /// <summary>The median of <see cref="Samples"/>.</summary>
    public double Median
    {
        get
        {
            double[] sorted = [.. Samples.Order()];
            int middle = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }
}
