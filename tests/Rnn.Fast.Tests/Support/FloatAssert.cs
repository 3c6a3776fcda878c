using System.Globalization;

namespace Rnn.Fast.Tests.Support;

/// <summary>
/// Named tolerance checks (exact bits, ulp, mixed absolute/relative), so tests state which law they check instead
/// of scattering literals. Each failure message says where and by how much.
/// </summary>
public static class FloatAssert
{
    /// <summary>Asserts the two spans hold the same bits element by element (NaN payloads and the sign of zero included).</summary>
    /// <param name="expected">The reference bits, e.g. the scalar path's output.</param>
    /// <param name="actual">The bits under test.</param>
    /// <param name="context">What is compared, for the failure message.</param>
    public static void BitIdentical(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture,
                    $"{context}: element {i} of {expected.Length} is {actual[i]:R} (0x{BitConverter.SingleToUInt32Bits(actual[i]):X8}), expected {expected[i]:R} (0x{BitConverter.SingleToUInt32Bits(expected[i]):X8})."));
            }
        }
    }

    /// <summary>
    /// Asserts the spans hold the same bits, except that any NaN matches any NaN. For operations that combine two
    /// operands: x86 returns the first operand's NaN, and the JIT may swap the operands of a commutative operation
    /// differently in scalar and vector code, so which NaN (payload, sign) comes out is not reproducible in .NET.
    /// </summary>
    /// <param name="expected">The reference bits, e.g. the scalar path's output.</param>
    /// <param name="actual">The bits under test.</param>
    /// <param name="context">What is compared, for the failure message.</param>
    public static void BitIdenticalAnyNaN(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (float.IsNaN(expected[i]) && float.IsNaN(actual[i])) continue;
            BitIdentical(expected.Slice(i, 1), actual.Slice(i, 1), $"{context}, element {i}");
        }
    }

    /// <summary>Asserts one float has the expected bits.</summary>
    /// <param name="expected">The expected value.</param>
    /// <param name="actual">The value under test.</param>
    /// <param name="context">What is compared, for the failure message.</param>
    public static void BitIdentical(float expected, float actual, string context) =>
        BitIdentical([expected], [actual], context);

    /// <summary>Asserts |actual − exact| ≤ maxUlps · <see cref="FloatTolerance.UlpOf(double)"/>(exact).</summary>
    /// <param name="actual">The float result.</param>
    /// <param name="exact">The exact value.</param>
    /// <param name="maxUlps">The bound in ulps.</param>
    /// <param name="context">What is compared, for the failure message.</param>
    public static void WithinUlps(float actual, double exact, double maxUlps, string context)
    {
        double error = FloatTolerance.ErrorInUlps(actual, exact);
        if (!(error <= maxUlps))
        {
            Assert.Fail(string.Create(CultureInfo.InvariantCulture,
                $"{context}: {actual:R} is {error:G4} ulp from the exact {exact:R}; the bound is {maxUlps} ulp."));
        }
    }

    /// <summary>
    /// Asserts the mixed bound |actual − exact| ≤ relative·scale + absolute, where <paramref name="scale"/> is the
    /// magnitude the error is proportional to (e.g. Σ|terms| for a sum, γ_k for <paramref name="relative"/>).
    /// </summary>
    /// <param name="actual">The float result.</param>
    /// <param name="exact">The exact value.</param>
    /// <param name="relative">The relative factor, e.g. <see cref="FloatTolerance.Gamma(int)"/>.</param>
    /// <param name="scale">What the relative factor multiplies.</param>
    /// <param name="absolute">An absolute floor (0 for none).</param>
    /// <param name="context">What is compared, for the failure message.</param>
    public static void WithinMixed(float actual, double exact, double relative, double scale, double absolute, string context)
    {
        double bound = relative * Math.Abs(scale) + absolute;
        double error = Math.Abs(actual - exact);
        if (!(error <= bound))
        {
            Assert.Fail(string.Create(CultureInfo.InvariantCulture,
                $"{context}: {actual:R} differs from the exact {exact:R} by {error:G4}; the bound is {bound:G4} ({relative:G4}·{scale:G4} + {absolute:G4})."));
        }
    }
}
