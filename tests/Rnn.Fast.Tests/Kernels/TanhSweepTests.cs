using System.Globalization;
using Rnn.Fast.Kernels;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Kernels;

/// <summary>
/// Dense sweeps over the whole float range that enforce <see cref="Activations.TanhMaxUlpError"/> and the
/// bit-identity of every path.
/// </summary>
/// <remarks>
/// The reference is Math.Tanh in double, and the error is measured against that value directly (in float ulps at
/// its magnitude), not against a float rounded from it, so no double rounding enters. Math.Tanh's own error is a
/// few double ulps, below 2^-28 float ulps: it cannot move a measurement across the bound by anything that matters
/// (the bound is 1.75; the measured maximum 1.648).
/// Sizes: with a hardware vector path the sweeps evaluate about 103 M inputs on each supported path; measured
/// 3–5 s in all here on a busy 2-core machine (the reference Math.Tanh dominates). Without one (DOTNET_EnableAVX2=0 also turns FMA off; DOTNET_EnableHWIntrinsic=0)
/// every fma of the scalar path is a software routine (measured: scalar tanh 14 ns per element instead of 2.9), so
/// the sweeps take every 8th input of the same sets: still every binade, in a few seconds.
/// </remarks>
public class TanhSweepTests
{
    private static readonly int Thinning = KernelPaths.HasVectorPath ? 1 : 8;
    private const int Batch = 1 << 16;

    [Fact]
    public void EverySixtyFourthBitPatternIsWithinTheBoundOnEveryPath()
    {
        // Every 2^6-th of all 2^32 bit patterns (offset so the low mantissa bits vary): both signs, subnormals,
        // ±∞ and NaNs of many payloads.
        long stride = 64L * Thinning;
        Sweep(start: 0x55, stride, count: (int)((1L << 32) / stride));
    }

    [Fact]
    public void EveryFloatAroundTheSwitchToTheExpFormulaIsWithinTheBound()
    {
        // [0.25, 1): every float of the two binades around the switch at 9/16, where the largest error is.
        uint start = BitConverter.SingleToUInt32Bits(0.25f);
        uint end = BitConverter.SingleToUInt32Bits(1f);
        Sweep(start, Thinning, (int)((end - start) / Thinning));
    }

    [Fact]
    public void EveryFloatAroundTheTinyCutoffIsWithinTheBound()
    {
        // [2^-14, 2^-12): where the result switches from x itself to the polynomial.
        uint start = BitConverter.SingleToUInt32Bits(6.1035156e-5f);
        uint end = BitConverter.SingleToUInt32Bits(2.4414062e-4f);
        Sweep(start, Thinning, (int)((end - start) / Thinning));
    }

    [Fact]
    public void AFineGridOnMinusTenToTenIsWithinTheBound()
    {
        // Step 2^-14 over [−10, 10]: 327,681 points, through the polynomial, the exp formula and saturation.
        int count = (20 << 14) / Thinning + 1;
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = -10f + i * Thinning * (1f / 16384f);
        Check(x, "grid");
    }

    [Fact]
    public void EveryFloatFromEightToTenIsWithinTheBoundOrExactlyOne()
    {
        uint start = BitConverter.SingleToUInt32Bits(8f);
        uint end = BitConverter.SingleToUInt32Bits(10f);
        Sweep(start, Thinning, (int)((end - start) / Thinning));
    }

    private static void Sweep(long start, long stride, int count)
    {
        var x = new float[Batch];
        for (int done = 0; done < count; done += Batch)
        {
            int n = Math.Min(Batch, count - done);
            for (int i = 0; i < n; i++) x[i] = BitConverter.UInt32BitsToSingle((uint)(start + (done + i) * stride));
            Check(x.AsSpan(0, n), "sweep");
        }
    }

    private static void Check(ReadOnlySpan<float> x, string what)
    {
        var expected = new float[x.Length];
        Activations.Tanh(x, expected, KernelDispatch.Active);
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            if (path == KernelDispatch.Active) continue;
            var other = new float[x.Length];
            Activations.Tanh(x, other, path);
            FloatAssert.BitIdentical(expected, other, $"Tanh {what} on {path} vs {KernelDispatch.Active}");
        }
        double worst = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            if (float.IsNaN(v))
            {
                FloatAssert.BitIdentical(v, expected[i], "NaN in, same NaN out");
                continue;
            }
            double error = FloatTolerance.ErrorInUlps(expected[i], Math.Tanh(v));
            worst = Math.Max(worst, error);
            if (!(error <= Activations.TanhMaxUlpError))
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture,
                    $"tanh({v:R}) = {expected[i]:R} is {error:G4} ulp from {Math.Tanh(v):R}; the bound is {Activations.TanhMaxUlpError}."));
            }
        }
        Assert.True(worst <= Activations.TanhMaxUlpError);
    }
}
