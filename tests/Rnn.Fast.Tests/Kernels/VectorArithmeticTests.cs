using FsCheck.Xunit;
using Rnn.Fast.Kernels;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Kernels;

public class VectorArithmeticTests
{
    // 200 cases × ≤ 300 elements × ≤ 4 paths: milliseconds, even with software fma.
    private const int Cases = 200;

    [Property(MaxTest = Cases, Arbitrary = new[] { typeof(TestData.Arbitraries) })]
    public void AddScaledIsOneFusedMultiplyAddPerElement(SpanLength length, int seed)
    {
        var random = new Random(seed);
        int n = length.Value;
        float[] x = TestData.Uniform(random, n, 10f), y = TestData.Uniform(random, n, 10f);
        float factor = (float)(random.NextDouble() * 4 - 2);
        float[] result = KernelPaths.RunOnEveryPath(path =>
        {
            float[] d = (float[])y.Clone();
            VectorArithmetic.AddScaled(x, factor, d, path);
            return d;
        }, "AddScaled");
        for (int i = 0; i < n; i++)
        {
            // One rounding of the exact x·a + y (which double holds exactly: 48-bit product, exponents close).
            double exact = (double)x[i] * factor + y[i];
            FloatAssert.WithinMixed(result[i], exact, FloatTolerance.Gamma(1), exact, 0, $"AddScaled({x[i]:R}, {factor:R}, {y[i]:R})");
        }
    }

    [Property(MaxTest = Cases, Arbitrary = new[] { typeof(TestData.Arbitraries) })]
    public void AddScaledWithMinusLearningRateIsTheSgdStep(SpanLength length, int seed)
    {
        var random = new Random(seed);
        float[] parameters = TestData.Uniform(random, length.Value, 1f), gradient = TestData.Uniform(random, length.Value, 1f);
        const float LearningRate = 0.01f;
        float[] expected = new float[parameters.Length];
        for (int i = 0; i < expected.Length; i++) expected[i] = MathF.FusedMultiplyAdd(gradient[i], -LearningRate, parameters[i]);
        VectorArithmetic.AddScaled(gradient, -LearningRate, parameters);
        FloatAssert.BitIdentical(expected, parameters, "p −= lr·g as fma(g, −lr, p)");
    }

    [Property(MaxTest = Cases, Arbitrary = new[] { typeof(TestData.Arbitraries) })]
    public void ScaleIsOneRoundedProductPerElementAlsoInPlace(SpanLength length, int seed)
    {
        var random = new Random(seed);
        int n = length.Value;
        float[] x = TestData.Uniform(random, n, 10f);
        float factor = (float)(random.NextDouble() * 4 - 2);
        float[] result = KernelPaths.RunOnEveryPath(path =>
        {
            float[] d = TestData.NaNFilled(n);
            VectorArithmetic.Scale(x, factor, d, path);
            return d;
        }, "Scale");
        for (int i = 0; i < n; i++)
        {
            // float·float is exact in double, so the float result must be exactly its rounding.
            FloatAssert.BitIdentical((float)((double)x[i] * factor), result[i], $"Scale({x[i]:R}, {factor:R})");
        }
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            float[] values = (float[])x.Clone();
            VectorArithmetic.Scale(values, factor, values, path);
            FloatAssert.BitIdentical(result, values, $"in-place Scale on {path}");
        }
    }

    [Fact]
    public void SpecialValuesGiveTheSameBitsOnEveryPath()
    {
        float[] x = TestData.SpecialValues;
        float[] y = Array.ConvertAll(x, v => v * -0.5f);
        foreach (float factor in new[] { 0f, -0f, 2f, float.PositiveInfinity, float.NaN, 1e-30f })
        {
            KernelPaths.RunOnEveryPath(path =>
            {
                float[] d = (float[])y.Clone();
                VectorArithmetic.AddScaled(x, factor, d, path);
                return d;
            }, $"AddScaled by {factor}", anyNaN: true);
            KernelPaths.RunOnEveryPath(path =>
            {
                float[] d = TestData.NaNFilled(x.Length);
                VectorArithmetic.Scale(x, factor, d, path);
                return d;
            }, $"Scale by {factor}", anyNaN: true);
        }
    }
}
