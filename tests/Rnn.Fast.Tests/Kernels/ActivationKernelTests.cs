using FsCheck.Xunit;
using Rnn.Fast.Kernels;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Kernels;

public class ActivationKernelTests
{
    // 200 cases of at most 20,000 elements on ≤ 4 paths stay under a second with hardware fma, and a few seconds
    // with the software fma of the scalar-only runs.
    private const int Cases = 200;

    [Property(MaxTest = Cases, Arbitrary = new[] { typeof(TestData.Arbitraries) })]
    public void TanhGradientIsOutputGradientTimesOneMinusHSquaredWithinGammaTwo(SpanLength length, int seed)
    {
        var random = new Random(seed);
        int n = length.Value;
        float[] h = TestData.Uniform(random, n, 1f);
        float[] g = TestData.Uniform(random, n, 4f);
        float[] result = KernelPaths.RunOnEveryPath(path =>
        {
            float[] d = TestData.NaNFilled(n);
            Activations.TanhGradient(h, g, d, path);
            return d;
        }, "TanhGradient");
        for (int i = 0; i < n; i++)
        {
            // Two roundings (the fma for 1 − h², then the product), each relative: |err| ≤ γ_2·|g·(1 − h²)|.
            double exact = (double)g[i] * (1 - (double)h[i] * h[i]);
            FloatAssert.WithinMixed(result[i], exact, FloatTolerance.Gamma(2), exact, 0, $"TanhGradient(h={h[i]:R}, g={g[i]:R})");
            FloatAssert.BitIdentical(g[i] * MathF.FusedMultiplyAdd(-h[i], h[i], 1f), result[i], "the documented op sequence");
        }
    }

    [Property(MaxTest = Cases, Arbitrary = new[] { typeof(TestData.Arbitraries) })]
    public void TanhGradientInPlaceOverTheOutputGradientEqualsOutOfPlace(SpanLength length, int seed)
    {
        var random = new Random(seed);
        float[] h = TestData.Uniform(random, length.Value, 1f);
        float[] g = TestData.Uniform(random, length.Value, 4f);
        float[] expected = new float[g.Length];
        Activations.TanhGradient(h, g, expected, InstructionSet.Scalar);
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            float[] values = (float[])g.Clone();
            Activations.TanhGradient(h, values, values, path);
            FloatAssert.BitIdentical(expected, values, $"in-place TanhGradient on {path}");
        }
    }

    [Fact]
    public void TheGradientKernelAgreesOnEveryPathForSpecialValues()
    {
        float[] x = TestData.SpecialValues;
        float[] other = Array.ConvertAll(x, v => -v * 0.75f);
        int n = x.Length;
        float[] gradient = KernelPaths.RunOnEveryPath(path =>
        {
            float[] d = TestData.NaNFilled(n);
            Activations.TanhGradient(x, other, d, path);
            return d;
        }, "TanhGradient of special values", anyNaN: true);
        for (int i = 0; i < n; i++)
        {
            FloatAssert.BitIdentical(other[i] * MathF.FusedMultiplyAdd(-x[i], x[i], 1f), gradient[i], $"TanhGradient({x[i]:R})");
        }
    }

    [Fact]
    public void PublicOverloadsRunTheActivePath()
    {
        var random = new Random(3);
        float[] a = TestData.Uniform(random, 5 * 37, 2f);
        float[] expected = new float[a.Length], actual = new float[a.Length];
        Activations.Tanh(a, expected, InstructionSet.Scalar);
        Activations.TanhGradient(expected, a, actual, InstructionSet.Scalar);
        Activations.TanhGradient(expected, a, a);
        FloatAssert.BitIdentical(actual, a, "Activations.TanhGradient");
    }
}
