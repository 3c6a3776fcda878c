using FsCheck.Xunit;
using Rnn.Fast.Kernels;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Kernels;

public class TanhTests
{
    // 200 cases × ≤ 300 elements × 4 paths is about 0.2 M tanh evaluations: a fraction of a second, even with
    // the software fma of the scalar-only runs.
    private const int Cases = 200;

    /// <summary>Values spread over every scale tanh treats differently: log-uniform magnitudes 2^-20..2^5, both signs.</summary>
    private static float[] TanhInputs(Random random, int length)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++)
        {
            double magnitude = Math.Pow(2, -20 + 25 * random.NextDouble());
            x[i] = (float)(random.Next(2) == 0 ? magnitude : -magnitude);
        }
        return x;
    }

    [Property(MaxTest = Cases, Arbitrary = new[] { typeof(TestData.Arbitraries) })]
    public void TanhIsWithinTheDocumentedUlpBoundAndBitIdenticalOnEveryPath(SpanLength length, int seed)
    {
        float[] x = TanhInputs(new Random(seed), length.Value);
        float[] y = KernelPaths.RunOnEveryPath(path =>
        {
            float[] d = TestData.NaNFilled(x.Length);
            Activations.Tanh(x, d, path);
            return d;
        }, "Tanh");
        for (int i = 0; i < x.Length; i++)
        {
            FloatAssert.WithinUlps(y[i], Math.Tanh(x[i]), Activations.TanhMaxUlpError, $"tanh({x[i]:R})");
        }
    }

    [Property(MaxTest = Cases, Arbitrary = new[] { typeof(TestData.Arbitraries) })]
    public void TanhInPlaceEqualsOutOfPlaceOnEveryPath(SpanLength length, int seed)
    {
        float[] x = TanhInputs(new Random(seed), length.Value);
        float[] expected = TestData.NaNFilled(x.Length);
        Activations.Tanh(x, expected, InstructionSet.Scalar);
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            float[] values = (float[])x.Clone();
            Activations.Tanh(values, values, path);
            FloatAssert.BitIdentical(expected, values, $"in-place Tanh on {path}");
        }
    }

    [Property(MaxTest = Cases, Arbitrary = new[] { typeof(TestData.Arbitraries) })]
    public void TanhOfAnElementDoesNotDependOnItsPositionOrTheSpanLength(SpanLength length, int seed)
    {
        // Each element alone (a length-1 span: tail code only) must give the bits it gets inside the long span.
        float[] x = TanhInputs(new Random(seed), length.Value);
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            float[] whole = TestData.NaNFilled(x.Length);
            Activations.Tanh(x, whole, path);
            var single = new float[1];
            for (int i = 0; i < x.Length; i++)
            {
                Activations.Tanh(x.AsSpan(i, 1), single, path);
                FloatAssert.BitIdentical(whole[i], single[0], $"Tanh({x[i]:R}) alone vs at {i} of {x.Length} on {path}");
            }
        }
    }

    [Fact]
    public void TanhOfSpecialValuesFollowsTheDocumentedRules()
    {
        float[] x = TestData.SpecialValues;
        float[] y = KernelPaths.RunOnEveryPath(path =>
        {
            float[] d = TestData.NaNFilled(x.Length);
            Activations.Tanh(x, d, path);
            return d;
        }, "Tanh of special values");
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            if (float.IsNaN(v)) FloatAssert.BitIdentical(v, y[i], "NaN returns the input NaN");
            else if (v == 0 || float.IsSubnormal(v)) FloatAssert.BitIdentical(v, y[i], $"tanh({v:R}) is x (sign of zero kept)");
            else if (Math.Abs(v) >= 9.5f) FloatAssert.BitIdentical(MathF.Sign(v), y[i], $"tanh({v:R}) saturates to exactly ±1");
            else FloatAssert.WithinUlps(y[i], Math.Tanh(v), Activations.TanhMaxUlpError, $"tanh({v:R})");
        }
    }

    [Fact]
    public void TanhIsOdd()
    {
        float[] x = TanhInputs(new Random(7), 4099);
        float[] negated = Array.ConvertAll(x, v => -v);
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            float[] y = new float[x.Length], yNeg = new float[x.Length];
            Activations.Tanh(x, y, path);
            Activations.Tanh(negated, yNeg, path);
            FloatAssert.BitIdentical(Array.ConvertAll(y, v => -v), yNeg, $"tanh(−x) = −tanh(x) on {path}");
        }
    }

    [Fact]
    public void PublicTanhAndTanhInPlaceRunTheActivePath()
    {
        float[] x = TanhInputs(new Random(11), 301);
        float[] expected = new float[x.Length], actual = new float[x.Length];
        Activations.Tanh(x, expected, InstructionSet.Scalar);
        Activations.Tanh(x, actual);
        FloatAssert.BitIdentical(expected, actual, "Activations.Tanh");
        Activations.TanhInPlace(x);
        FloatAssert.BitIdentical(expected, x, "Activations.TanhInPlace");
    }
}
