using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Fast.Cli.Bench;

/// <summary>
/// This core's peak fused multiply-add rate on the widest vector path the process allows (AVX-512 or AVX2+FMA, as
/// the runtime's switches leave them), measured in the same run as the workloads: twelve independent accumulator
/// chains — more than FMA latency × FMA ports needs — with no loads and no calls inside the loop (a call would make
/// the JIT keep the accumulators in memory and measure that instead). NaN where there is no x64 FMA.
/// </summary>
public static class PeakFmaRate
{
    /// <summary>The vector width in bits the measurement uses: 512, 256, or 0 without hardware FMA.</summary>
    public static int Width => Avx512F.IsSupported ? 512 : Fma.IsSupported ? 256 : 0;

    /// <summary>Measures the peak: the best of <paramref name="repeats"/> runs of <paramref name="iterations"/> iterations.</summary>
    /// <param name="iterations">Iterations per run (each is 12 FMAs of one vector).</param>
    /// <param name="repeats">Runs; the fastest counts.</param>
    /// <returns>GFLOP/s (2 per multiply-add per lane), or NaN without hardware FMA.</returns>
    public static double MeasureGflops(long iterations = 10_000_000, int repeats = 5)
    {
        if (Width == 0) return double.NaN;
        Run(10_000);
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            Run(iterations);
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        return iterations * FlopsPerIteration / best / 1e9;
    }

    /// <summary>Floating-point operations per iteration of <see cref="Run"/>: 12 FMAs × lanes × 2.</summary>
    public static double FlopsPerIteration => 12.0 * (Width / 32) * 2;

    /// <summary>Runs <paramref name="iterations"/> iterations of the 12 independent FMA chains; returns a lane so the work is kept (NaN without hardware FMA).</summary>
    /// <param name="iterations">Iterations (each is 12 FMAs of one vector).</param>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static float Run(long iterations) => Width switch
    {
        512 => Run512(iterations),
        256 => Run256(iterations),
        _ => float.NaN,
    };

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Run512(long iterations)
    {
        Vector512<float> a = Vector512.Create(1.0000001f), b = Vector512.Create(0.9999999f);
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector512<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Avx512F.FusedMultiplyAdd(a, b, c0); c1 = Avx512F.FusedMultiplyAdd(a, b, c1);
            c2 = Avx512F.FusedMultiplyAdd(a, b, c2); c3 = Avx512F.FusedMultiplyAdd(a, b, c3);
            c4 = Avx512F.FusedMultiplyAdd(a, b, c4); c5 = Avx512F.FusedMultiplyAdd(a, b, c5);
            c6 = Avx512F.FusedMultiplyAdd(a, b, c6); c7 = Avx512F.FusedMultiplyAdd(a, b, c7);
            c8 = Avx512F.FusedMultiplyAdd(a, b, c8); c9 = Avx512F.FusedMultiplyAdd(a, b, c9);
            c10 = Avx512F.FusedMultiplyAdd(a, b, c10); c11 = Avx512F.FusedMultiplyAdd(a, b, c11);
        }

        return (c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11).ToScalar();
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Run256(long iterations)
    {
        Vector256<float> a = Vector256.Create(1.0000001f), b = Vector256.Create(0.9999999f);
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector256<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Fma.MultiplyAdd(a, b, c0); c1 = Fma.MultiplyAdd(a, b, c1);
            c2 = Fma.MultiplyAdd(a, b, c2); c3 = Fma.MultiplyAdd(a, b, c3);
            c4 = Fma.MultiplyAdd(a, b, c4); c5 = Fma.MultiplyAdd(a, b, c5);
            c6 = Fma.MultiplyAdd(a, b, c6); c7 = Fma.MultiplyAdd(a, b, c7);
            c8 = Fma.MultiplyAdd(a, b, c8); c9 = Fma.MultiplyAdd(a, b, c9);
            c10 = Fma.MultiplyAdd(a, b, c10); c11 = Fma.MultiplyAdd(a, b, c11);
        }

        return (c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11).ToScalar();
    }
}
