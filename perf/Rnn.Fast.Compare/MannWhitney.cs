using Perfolizer.Mathematics.SignificanceTesting.Base;
using Perfolizer.Mathematics.SignificanceTesting.MannWhitney;
using Perfolizer.Metrology;
using Pragmastat;

namespace Rnn.Fast.Compare;

/// <summary>
/// The one-sided Mann–Whitney U test (Wilcoxon rank-sum) of Perfolizer, the statistics library BenchmarkDotNet is
/// built on: how likely samples at least as much larger as <c>y</c> is than <c>x</c> would be if both came from one
/// distribution. It assumes nothing about the shape of timing noise (skewed, with outliers), unlike a t-test.
/// </summary>
/// <remarks>
/// Perfolizer takes the exact null distribution of U while the two samples hold 65 values or fewer together (five
/// launches against five: p-values in steps of 1/252), and an Edgeworth expansion of it beyond. Ties count ½ a pair.
/// It computes the upper tail as 1 − CDF, so a p-value is exact to about 1e-16 absolute: an exact tail of 1/20 comes
/// out a few units in the last place above 0.05 (<see cref="IsAtMost"/> allows for that), and a tail far below
/// 1e-16 comes out as 0.
/// </remarks>
public static class MannWhitney
{
    /// <summary>How far above the significance level a p-value may lie from rounding alone (1 − CDF in double).</summary>
    private const double RoundingAllowance = 1e-12;

    /// <summary>
    /// The one-sided p-value that <paramref name="y"/> is stochastically greater than <paramref name="x"/> with every
    /// value of <paramref name="x"/> multiplied by 1 + <paramref name="threshold"/>.
    /// </summary>
    /// <param name="x">The first sample (for a slowdown test: the baseline).</param>
    /// <param name="y">The second sample.</param>
    /// <param name="threshold">The relative stretch of <paramref name="x"/>, e.g. 0.10 for 10%; 0 compares the samples as they are.</param>
    public static double PValueGreater(IReadOnlyList<double> x, IReadOnlyList<double> y, double threshold = 0)
    {
        ArgumentOutOfRangeException.ThrowIfZero(x.Count);
        ArgumentOutOfRangeException.ThrowIfZero(y.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        // Perfolizer's "greater" alternative reads its first sample as the larger one and stretches the second.
        Threshold stretch = threshold == 0 ? Threshold.Zero : PercentValue.Of(threshold * 100).ToThreshold();
        return MannWhitneyTest.Instance.Perform(new Sample([.. y]), new Sample([.. x]), AlternativeHypothesis.Greater, stretch).PValue;
    }

    /// <summary>Whether <paramref name="pValue"/> is at most <paramref name="significance"/>, allowing for the test's rounding.</summary>
    public static bool IsAtMost(double pValue, double significance) => pValue <= significance + RoundingAllowance;
}
