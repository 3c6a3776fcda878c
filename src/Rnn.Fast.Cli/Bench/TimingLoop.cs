using System.Diagnostics;

namespace Rnn.Fast.Cli.Bench;

/// <summary>
/// A short Stopwatch timing loop for people who do not run BenchmarkDotNet: one warm-up call (the first call
/// compiles and allocates), then blocks of k calls with k chosen so a block takes about 10 ms, until the time budget
/// is spent (at least three blocks); the result is the median over blocks of the time per call. Not a
/// BenchmarkDotNet run: no outlier analysis, no process isolation; the suites under perf/ do that.
/// </summary>
public static class TimingLoop
{
    /// <summary>The time one block of calls aims for.</summary>
    public static readonly TimeSpan BlockTarget = TimeSpan.FromMilliseconds(10);

    /// <summary>The fewest blocks whatever the budget (the median of three still drops one slow block).</summary>
    public const int MinBlocks = 3;

    /// <summary>The most blocks, however fast the call.</summary>
    public const int MaxBlocks = 51;

    /// <summary>Times <paramref name="call"/>.</summary>
    /// <param name="call">The workload.</param>
    /// <param name="budget">How long to keep measuring after the warm-up.</param>
    /// <returns>The median seconds per call, and the calls timed.</returns>
    public static (double MedianSeconds, long Calls) Measure(Action call, TimeSpan budget)
    {
        ArgumentNullException.ThrowIfNull(call);
        call();
        long start = Stopwatch.GetTimestamp();
        call();
        double once = Math.Max(Stopwatch.GetElapsedTime(start).TotalSeconds, 1e-9);
        int perBlock = (int)Math.Clamp(BlockTarget.TotalSeconds / once, 1, 1_000_000);
        var blocks = new List<double>();
        var clock = Stopwatch.StartNew();
        while (blocks.Count < MinBlocks || (clock.Elapsed < budget && blocks.Count < MaxBlocks))
        {
            long blockStart = Stopwatch.GetTimestamp();
            for (int i = 0; i < perBlock; i++) call();
            blocks.Add(Stopwatch.GetElapsedTime(blockStart).TotalSeconds / perBlock);
        }

        blocks.Sort();
        double median = blocks.Count % 2 == 1 ? blocks[blocks.Count / 2] : (blocks[blocks.Count / 2 - 1] + blocks[blocks.Count / 2]) / 2;
        return (median, (long)blocks.Count * perBlock);
    }
}
