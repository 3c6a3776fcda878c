using FsCheck.Xunit;
using Rnn.Fast.Kernels;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Kernels;

/// <summary><see cref="NonFiniteValues.IndexOfFirst(ReadOnlySpan{float})"/> and <see cref="Reductions.SquaredNormInDouble(ReadOnlySpan{float})"/> on every path.</summary>
public class NonFiniteAndWideNormTests
{
    // 200 cases × ≤ 300 elements × ≤ 4 paths: milliseconds.
    private const int Cases = 200;

    private static readonly float[] NonFinite = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(unchecked((int)0xFFC0_1234))];

    [Property(MaxTest = Cases, Arbitrary = new[] { typeof(TestData.Arbitraries) })]
    public void IndexOfFirstFindsTheFirstNonFiniteValueOnEveryPath(SpanLength length, int seed)
    {
        var random = new Random(seed);
        int n = length.Value;
        // Finite values of every magnitude, including float.MaxValue (x − x = 0 must not be fooled by overflow).
        float[] x = TestData.Uniform(random, n, float.MaxValue);
        int bad = random.Next(3) switch { 0 => 0, 1 => 1, _ => 1 + random.Next(3) };
        for (int k = 0; k < bad; k++) x[random.Next(n)] = NonFinite[random.Next(NonFinite.Length)];
        int expected = Array.FindIndex(x, v => !float.IsFinite(v));
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            Assert.Equal(expected, NonFiniteValues.IndexOfFirst(x, path));
        }
        Assert.Equal(expected, NonFiniteValues.IndexOfFirst(x));
    }

    [Fact]
    public void IndexOfFirstSeesEveryPositionOfEveryLengthAndAcceptsFiniteExtremes()
    {
        float[] finite = [0f, -0f, float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue, 1e-40f, 1f];
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            Assert.Equal(-1, NonFiniteValues.IndexOfFirst([], path));
            Assert.Equal(-1, NonFiniteValues.IndexOfFirst(finite, path));
            for (int n = 1; n <= 70; n++)
            {
                for (int position = 0; position < n; position++)
                {
                    var x = new float[n];
                    x[position] = float.NegativeInfinity;
                    Assert.Equal(position, NonFiniteValues.IndexOfFirst(x, path));
                }
            }
        }
    }

    /// <summary>The documented tree of SquaredNormInDouble, written out plainly: 8 double chains, then ((0+4)+(2+6))+((1+5)+(3+7)).</summary>
    private static double DocumentedWideTree(float[] x)
    {
        var q = new double[8];
        for (int i = 0; i < x.Length; i++) q[i % 8] += (double)x[i] * x[i];
        return ((q[0] + q[4]) + (q[2] + q[6])) + ((q[1] + q[5]) + (q[3] + q[7]));
    }

    [Property(MaxTest = Cases, Arbitrary = new[] { typeof(TestData.Arbitraries) })]
    public void SquaredNormInDoubleIsTheFixedTreeOnEveryPathWithinDoubleGamma(SpanLength length, int seed)
    {
        var random = new Random(seed);
        int n = length.Value;
        float[] x = TestData.Uniform(random, n, 1e30f); // squares near 1e60: far beyond float, nothing for double
        double tree = DocumentedWideTree(x);
        // An exact-enough sum: terms sorted by size, summed in double-double (Kahan–Babuška); its error is O(u²).
        double sum = 0, compensation = 0;
        foreach (double term in x.Select(v => (double)v * v).Order())
        {
            double t = sum + term;
            compensation += Math.Abs(sum) >= Math.Abs(term) ? (sum - t) + term : (term - t) + sum;
            sum = t;
        }
        double exact = sum + compensation;
        // Terms are exact (a float's square has ≤ 48 bits); ⌈n/8⌉ additions per chain, 3 combining: γ_{⌈n/8⌉+3} in double.
        int depth = (n + 7) / 8 + 3;
        double bound = depth * Math.ScaleB(1, -53) / (1 - depth * Math.ScaleB(1, -53)) * exact;
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            double norm = Reductions.SquaredNormInDouble(x, path);
            Assert.Equal(BitConverter.DoubleToInt64Bits(tree), BitConverter.DoubleToInt64Bits(norm));
            Assert.True(Math.Abs(norm - exact) <= bound, $"length {n} on {path}: {norm:R} vs {exact:R}, bound {bound:R}");
        }
    }

    [Fact]
    public void SquaredNormInDoubleNeverOverflowsForFiniteFloatsAndPropagatesNonFinite()
    {
        float[] huge = Enumerable.Repeat(float.MaxValue, 1000).ToArray();
        double expected = 1000.0 * float.MaxValue * (double)float.MaxValue;
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            Assert.Equal(0d, Reductions.SquaredNormInDouble([], path));
            // 1000 exact terms, ⌈1000/8⌉ + 3 = 128 additions deep: γ_128 in double.
            Assert.Equal(expected, Reductions.SquaredNormInDouble(huge, path), expected * 128 * Math.ScaleB(1, -53) / (1 - 128 * Math.ScaleB(1, -53)));
            float[] withInfinity = (float[])huge.Clone();
            withInfinity[999] = float.NegativeInfinity;
            Assert.Equal(double.PositiveInfinity, Reductions.SquaredNormInDouble(withInfinity, path));
            withInfinity[3] = float.NaN;
            Assert.True(double.IsNaN(Reductions.SquaredNormInDouble(withInfinity, path)), $"NaN on {path}");
        }
    }
}
