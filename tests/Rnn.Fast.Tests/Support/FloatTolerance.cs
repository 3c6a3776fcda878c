namespace Rnn.Fast.Tests.Support;

/// <summary>
/// Error measures for float results checked against an exact (double) value, following the standard rounding-error
/// model: every float operation returns op(a, b)·(1 + δ) with |δ| ≤ u = 2^-24, so a chain of k rounded operations
/// on terms t_i has |error| ≤ γ_k·Σ|t_i| with γ_k = k·u/(1 − k·u) (Higham, Accuracy and Stability, §3.1).
/// </summary>
public static class FloatTolerance
{
    /// <summary>u = 2^-24, the unit roundoff of float (half the gap between 1 and the next float).</summary>
    public const double UnitRoundoff = 1.0 / 16777216.0;

    /// <summary>γ_k = k·u/(1 − k·u): the relative error bound of k chained float roundings.</summary>
    /// <param name="k">The number of roundings; at least 0.</param>
    public static double Gamma(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        double ku = k * UnitRoundoff;
        return ku / (1 - ku);
    }

    /// <summary>
    /// The float ulp at <paramref name="value"/>'s magnitude: the gap between consecutive floats in the binade that
    /// holds |value| (2^-149 among subnormals). Measuring against the exact value this way, instead of against a
    /// float rounded from it, avoids any double-rounding question.
    /// </summary>
    /// <param name="value">A finite value.</param>
    public static double UlpOf(double value)
    {
        double magnitude = Math.Abs(value);
        if (magnitude < 1.1754943508222875e-38) return Math.ScaleB(1.0, -149);
        if (magnitude >= 3.4028234663852886e38) return Math.ScaleB(1.0, 104);
        return Math.ScaleB(1.0, Math.ILogB(magnitude) - 23);
    }

    /// <summary>|actual − exact| in units of <see cref="UlpOf(double)"/>(exact); infinity when exactly one is NaN or infinite.</summary>
    /// <param name="actual">The float result.</param>
    /// <param name="exact">The exact value (or a double approximation far more accurate than float).</param>
    public static double ErrorInUlps(float actual, double exact)
    {
        if (double.IsNaN(exact) || double.IsNaN(actual)) return double.IsNaN(exact) && double.IsNaN(actual) ? 0 : double.PositiveInfinity;
        if (double.IsInfinity(exact) || float.IsInfinity(actual)) return actual == exact ? 0 : double.PositiveInfinity;
        return Math.Abs(actual - exact) / UlpOf(exact);
    }

    /// <summary>
    /// How many floats lie between <paramref name="a"/> and <paramref name="b"/> (0 when equal, +0 and −0 count as
    /// equal, 1 for neighbours); <see cref="long.MaxValue"/> when either is NaN.
    /// </summary>
    /// <param name="a">One float.</param>
    /// <param name="b">The other float.</param>
    public static long UlpDistance(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b)) return long.MaxValue;
        return Math.Abs(OrderedBits(a) - OrderedBits(b));
    }

    /// <summary>Maps a float's bits to an integer that is monotone in the float's value (−0 and +0 map to 0).</summary>
    private static long OrderedBits(float value)
    {
        int bits = BitConverter.SingleToInt32Bits(value);
        return bits < 0 ? -(long)(bits & 0x7FFF_FFFF) : bits;
    }
}
