using Rnn.Fast.Cli.Bench;

namespace Rnn.Fast.Benchmarks.Infrastructure;

/// <summary>
/// This core's peak fused multiply-add rate, the figure every "% of peak" column divides by: the rnn tool's
/// <see cref="PeakFmaRate"/> (twelve independent FMA chains on the widest vector path the process allows, no loads
/// and no calls inside the loop), compiled into the benchmarks from the same source file, measured once per process.
/// </summary>
public static class PeakFma
{
    private static readonly Lazy<double> s_measured = new(() => PeakFmaRate.MeasureGflops(iterations: 20_000_000, repeats: 5));

    /// <summary>The vector width in bits that <see cref="Run"/> uses: 512, 256, or 0 without hardware FMA on x64.</summary>
    public static int Width => PeakFmaRate.Width;

    /// <summary>Floating-point operations per iteration of <see cref="Run"/>: 12 FMAs × lanes × 2.</summary>
    public static double FlopsPerIteration => PeakFmaRate.FlopsPerIteration;

    /// <summary>The peak in GFLOP/s, measured once in this process (best of 5 runs of about 0.1 s).</summary>
    public static double MeasuredGflops => s_measured.Value;

    /// <summary>Runs <paramref name="iterations"/> iterations of 12 independent FMA chains; returns a lane so the work is kept.</summary>
    public static float Run(long iterations) => PeakFmaRate.Run(iterations);
}
