using FsCheck.Xunit;
using Rnn.Fast.Kernels;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Kernels;

public class ReductionsTests
{
    // 200 cases × ≤ 300 elements × ≤ 4 paths: milliseconds, even with software fma.
    private const int Cases = 200;

    /// <summary>The documented tree, written out in the plainest way: 16 partial fma chains, then +8, +4, +2, +1.</summary>
    private static float DocumentedTree(float[] x, float[] y)
    {
        var p = new float[16];
        for (int i = 0; i < x.Length; i++) p[i % 16] = MathF.FusedMultiplyAdd(x[i], y[i], p[i % 16]);
        for (int width = 8; width >= 1; width /= 2)
        {
            for (int i = 0; i < width; i++) p[i] += p[i + width];
        }
        return p[0];
    }

    [Property(MaxTest = Cases, Arbitrary = new[] { typeof(TestData.Arbitraries) })]
    public void DotIsTheFixedTreeOnEveryPathWithinGammaOfItsDepth(SpanLength length, int seed)
    {
        var random = new Random(seed);
        int n = length.Value;
        float[] x = TestData.Uniform(random, n, 3f), y = TestData.Uniform(random, n, 3f);
        float tree = DocumentedTree(x, y);
        double exact = 0, magnitude = 0;
        for (int i = 0; i < n; i++)
        {
            exact += (double)x[i] * y[i];
            magnitude += Math.Abs((double)x[i] * y[i]);
        }
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            float dot = Reductions.Dot(x, y, path);
            FloatAssert.BitIdentical(tree, dot, $"Dot of length {n} on {path} is the documented tree");
            // Each partial is a chain of ⌈n/16⌉ fmas, then 4 combining additions: |err| ≤ γ_{⌈n/16⌉+4}·Σ|x_i·y_i|.
            FloatAssert.WithinMixed(dot, exact, FloatTolerance.Gamma((n + 15) / 16 + 4), magnitude, 0, $"Dot of length {n} on {path}");
            FloatAssert.BitIdentical(Reductions.Dot(x, x, path), Reductions.SquaredNorm(x, path), $"SquaredNorm is Dot(x, x) on {path}");
        }
    }

    [Fact]
    public void SquaredNormOfAnEmptySpanIsPositiveZeroAndPublicOverloadsRunTheActivePath()
    {
        FloatAssert.BitIdentical(0f, Reductions.SquaredNorm([]), "empty");
        float[] x = TestData.Uniform(new Random(9), 1001, 2f), y = TestData.Uniform(new Random(10), 1001, 2f);
        FloatAssert.BitIdentical(DocumentedTree(x, y), Reductions.Dot(x, y), "Reductions.Dot");
        FloatAssert.BitIdentical(DocumentedTree(x, x), Reductions.SquaredNorm(x), "Reductions.SquaredNorm");
    }

    [Fact]
    public void SpecialValuesGiveTheSameBitsOnEveryPath()
    {
        float[] values = TestData.SpecialValues;
        // Each special value alone among finite values, so NaN does not mask every other case.
        for (int k = 0; k < values.Length; k++)
        {
            float[] x = TestData.Uniform(new Random(k), 37, 1f);
            x[k % 37] = values[k];
            float[] y = TestData.Uniform(new Random(k + 100), 37, 1f);
            float expected = DocumentedTree(x, y);
            foreach (InstructionSet path in KernelDispatch.Supported)
            {
                FloatAssert.BitIdenticalAnyNaN([expected], [Reductions.Dot(x, y, path)], $"Dot with {values[k]:R} on {path}");
            }
        }
    }
}
