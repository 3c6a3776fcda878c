using FsCheck.Xunit;
using Rnn.Fast.Kernels;
using Rnn.Fast.Reference;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Kernels;

/// <summary>
/// The fused optimizer passes: bit-identical on every instruction-set path, within the derived bounds of
/// <see cref="OptimizerErrorBounds"/> of the double reference (<see cref="ReferenceOptimizers"/>) for the parameters
/// and every state buffer, and the guard's check agrees with what the pass stores.
/// </summary>
public sealed class OptimizerKernelProperties
{
    // 300 cases × ≤ 300 elements × ≤ 4 paths, a handful of operations each: well under a second per property, even with
    // software fma on the scalar-only runtime switches.
    private const int Cases = 300;

    /// <summary>Values over many binades (and some zeros), none so small that a square underflows to a subnormal.</summary>
    private static float[] Values(Random random, int length, double scale)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            double magnitude = scale * Math.Pow(10, random.Next(-4, 2)) * random.NextDouble();
            values[i] = random.Next(16) == 0 ? 0f : (float)(random.Next(2) == 0 ? magnitude : -magnitude);
        }
        return values;
    }

    private static float[] NonNegative(Random random, int length, double scale)
    {
        float[] values = Values(random, length, scale);
        for (int i = 0; i < length; i++) values[i] = MathF.Abs(values[i]);
        return values;
    }

    [Property(MaxTest = Cases, Arbitrary = new[] { typeof(TestData.Arbitraries) })]
    public void SgdIsWithinItsBoundOfTheReferenceAndBitIdenticalOnEveryPath(SpanLength length, int seed)
    {
        var random = new Random(seed);
        int n = length.Value;
        float[] p = Values(random, n, 1), g = Values(random, n, 1), b = Values(random, n, 1);
        double lr = Math.Pow(10, -random.Next(1, 5)) * (0.5 + random.NextDouble());
        double momentum = random.Next(4) == 0 ? 0 : random.NextDouble();
        bool nesterov = momentum > 0 && random.Next(2) == 0;
        double dampening = nesterov || random.Next(2) == 0 ? 0 : random.NextDouble();
        double weightDecay = random.Next(2) == 0 ? 0 : random.NextDouble() * 0.1;
        bool firstStep = random.Next(3) == 0;
        var op = new SgdOperator(lr, momentum, dampening, weightDecay, nesterov, firstStep);
        string name = $"SGD lr={lr:R} μ={momentum:R} d={dampening:R} λ={weightDecay:R} nesterov={nesterov} first={firstStep}";

        float[] result = KernelPaths.RunOnEveryPath(path =>
        {
            float[] pp = (float[])p.Clone(), bb = (float[])b.Clone();
            OptimizerDriver.Apply(op, pp, g, momentum != 0 ? bb : default, default, default, path);
            return [.. pp, .. bb];
        }, name);

        double[] rp = ReferenceRnn.Widen(p), rb = ReferenceRnn.Widen(b);
        ReferenceOptimizers.SgdStep(ReferenceRnn.Widen(g), rp, momentum != 0 ? rb : default, firstStep, lr, momentum, dampening, weightDecay, nesterov);
        for (int i = 0; i < n; i++)
        {
            (double ep, double eb) = OptimizerErrorBounds.Sgd(p[i], g[i], b[i], firstStep, lr, momentum, dampening, weightDecay, nesterov);
            AssertWithin(result[i], rp[i], ep, $"{name}: p[{i}]");
            AssertWithin(result[n + i], rb[i], eb, $"{name}: b[{i}]");
        }
        Assert.Equal(-1, OptimizerDriver.IndexOfFirstNonFinite(op, p, g, b, default, default, KernelDispatch.Active));
    }

    [Property(MaxTest = Cases, Arbitrary = new[] { typeof(TestData.Arbitraries) })]
    public void AdamAndAdamWAreWithinTheirBoundsOfTheReferenceAndBitIdenticalOnEveryPath(SpanLength length, int seed)
    {
        var random = new Random(seed);
        int n = length.Value;
        float[] p = Values(random, n, 1), g = Values(random, n, 1), m = Values(random, n, 0.5), v = NonNegative(random, n, 0.5);
        float[] vMax = new float[n];
        for (int i = 0; i < n; i++) vMax[i] = random.Next(2) == 0 ? v[i] * (float)(1 + random.NextDouble()) : v[i] * (float)random.NextDouble();
        long step = random.Next(3) == 0 ? 1 : random.Next(1, 5000);
        double lr = Math.Pow(10, -random.Next(1, 5)) * (0.5 + random.NextDouble());
        double beta1 = random.Next(8) == 0 ? random.NextDouble() * 0.5 : 1 - Math.Pow(10, -random.Next(1, 4)) * random.NextDouble();
        double beta2 = 1 - Math.Pow(10, -random.Next(1, 5)) * (0.1 + 0.9 * random.NextDouble());
        double epsilon = Math.Pow(10, -random.Next(4, 10));
        double weightDecay = random.Next(3) == 0 ? 0 : random.NextDouble() * 0.1;
        bool decoupled = random.Next(2) == 0, amsGrad = random.Next(2) == 0;
        var op = new AdamOperator(lr, beta1, beta2, epsilon, weightDecay, decoupled, amsGrad, step);
        string name = $"{(decoupled ? "AdamW" : "Adam")} t={step} lr={lr:R} β1={beta1:R} β2={beta2:R} ε={epsilon:R} λ={weightDecay:R} amsgrad={amsGrad}";

        float[] result = KernelPaths.RunOnEveryPath(path =>
        {
            float[] pp = (float[])p.Clone(), mm = (float[])m.Clone(), vv = (float[])v.Clone(), xx = (float[])vMax.Clone();
            OptimizerDriver.Apply(op, pp, g, mm, vv, amsGrad ? xx : default, path);
            return [.. pp, .. mm, .. vv, .. xx];
        }, name);

        double[] rp = ReferenceRnn.Widen(p), rm = ReferenceRnn.Widen(m), rv = ReferenceRnn.Widen(v), rx = ReferenceRnn.Widen(vMax);
        ReferenceOptimizers.AdamStep(ReferenceRnn.Widen(g), rp, rm, rv, amsGrad ? rx : default, step, lr, beta1, beta2, epsilon, weightDecay, decoupled, amsGrad);
        for (int i = 0; i < n; i++)
        {
            var bound = OptimizerErrorBounds.Adam(p[i], g[i], m[i], v[i], vMax[i], step, lr, beta1, beta2, epsilon, weightDecay, decoupled, amsGrad);
            AssertWithin(result[i], rp[i], bound.Parameter, $"{name}: p[{i}]");
            AssertWithin(result[n + i], rm[i], bound.First, $"{name}: m[{i}]");
            AssertWithin(result[2 * n + i], rv[i], bound.Second, $"{name}: v[{i}]");
            AssertWithin(result[3 * n + i], rx[i], bound.Max, $"{name}: max v[{i}]");
        }
        Assert.Equal(-1, OptimizerDriver.IndexOfFirstNonFinite(op, p, g, m, v, vMax, KernelDispatch.Active));
    }

    [Property(MaxTest = Cases, Arbitrary = new[] { typeof(TestData.Arbitraries) })]
    public void TheCheckFindsTheFirstElementWhoseStoredValueOrStateIsNotFinite(SpanLength length, int seed)
    {
        // A gradient of 3e38 makes v overflow ((1 − β2)·g·g = ∞) while the parameter stays finite (m/∞ = 0): the check
        // must see the state too. A NaN gradient poisons everything. Either is planted at one random element.
        var random = new Random(seed);
        int n = length.Value, at = random.Next(n);
        float[] p = Values(random, n, 1), g = Values(random, n, 1), m = Values(random, n, 0.5), v = NonNegative(random, n, 0.5);
        g[at] = random.Next(2) == 0 ? 3e38f : float.NaN;
        var adam = new AdamOperator(1e-3, 0.9, 0.999, 1e-8, 0, decoupled: true, amsGrad: false, step: 3);
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            Assert.Equal(at, OptimizerDriver.IndexOfFirstNonFinite(adam, p, g, m, v, default, path));
        }
        var stored = OptimizerDriver.At(adam, p, g, m, v, default, at);
        Assert.False(float.IsFinite(stored.S2));
        if (!float.IsNaN(g[at])) Assert.True(float.IsFinite(stored.P), "the overflowing v leaves p finite: only the state check catches it");

        var sgd = new SgdOperator(0.1, 0.9, 0, 0, nesterov: false, firstStep: false);
        float[] b = Values(random, n, 1);
        b[at] = float.MaxValue; // μ·b + g: finite; p − lr·b: finite; a NaN gradient is caught through p
        g[at] = float.NaN;
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            Assert.Equal(at, OptimizerDriver.IndexOfFirstNonFinite(sgd, p, g, b, default, default, path));
        }
    }

    [Property(MaxTest = Cases, Arbitrary = new[] { typeof(TestData.Arbitraries) })]
    public void ClippingByValueIsTheClampOfTheReferenceExactly(SpanLength length, int seed)
    {
        var random = new Random(seed);
        int n = length.Value;
        float[] g = Values(random, n, 10);
        if (n > 2) g[random.Next(n)] = float.NaN;
        float limit = (float)(random.NextDouble() * 2 + 0.01);
        float[] result = KernelPaths.RunOnEveryPath(path =>
        {
            float[] clipped = (float[])g.Clone();
            ElementwiseDriver.Unary(new ClampOperator(limit), clipped, clipped, path);
            return clipped;
        }, "ClipByValue", anyNaN: true);
        double[] reference = ReferenceRnn.Widen(g);
        ReferenceOptimizers.ClipByValue(reference, limit);
        for (int i = 0; i < n; i++)
        {
            // Clamping selects one of g, −limit, limit: no rounding at all, so the float result is the reference exactly.
            if (double.IsNaN(reference[i])) Assert.True(float.IsNaN(result[i]));
            else Assert.Equal(reference[i], (double)result[i]);
        }
    }

    private static void AssertWithin(float actual, double reference, double bound, string what)
    {
        double allowed = OptimizerErrorBounds.Allow(bound, reference);
        double error = Math.Abs(actual - reference);
        Assert.True(error <= allowed, $"{what}: {actual:R} vs reference {reference:R}: error {error:E3} exceeds the bound {allowed:E3}");
    }
}
