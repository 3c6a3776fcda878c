namespace Rnn.Fast.Compare;

/// <summary>
/// The one-sided Mann–Whitney U test (Wilcoxon rank-sum): how likely samples at least as much larger as
/// <c>y</c> is than <c>x</c> would be if both came from one distribution. It assumes nothing about the shape of
/// timing noise (skewed, with outliers), unlike a t-test.
/// </summary>
public static class MannWhitney
{
    /// <summary>Sizes up to this product use the exact distribution of U; larger ones the normal approximation.</summary>
    private const int ExactLimit = 2_500;

    /// <summary>P(U ≥ observed) under the null hypothesis, where U counts pairs with y &gt; x (ties count ½).</summary>
    /// <param name="x">The first sample (for a slowdown test: the baseline, scaled by the threshold).</param>
    /// <param name="y">The second sample.</param>
    /// <returns>The one-sided p-value that y is stochastically greater than x.</returns>
    public static double PValueGreater(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentOutOfRangeException.ThrowIfZero(x.Count);
        ArgumentOutOfRangeException.ThrowIfZero(y.Count);
        double u = 0;
        foreach (double yi in y)
        {
            foreach (double xi in x)
            {
                u += yi > xi ? 1 : yi == xi ? 0.5 : 0;
            }
        }

        int n = x.Count, m = y.Count;
        return n * m <= ExactLimit ? ExactUpperTail(n, m, u) : NormalUpperTail(x, y, u);
    }

    /// <summary>P(U ≥ u) from the exact null distribution (no ties): counts of rank arrangements per U value.</summary>
    private static double ExactUpperTail(int n, int m, double u)
    {
        // ways[i][j][k]: arrangements of i x's and j y's with U = k, built by adding the largest element:
        // a y on top beats all i x's (k − i), an x on top beats none.
        int max = n * m;
        var ways = new double[n + 1, m + 1, max + 1];
        for (int i = 0; i <= n; i++)
        {
            for (int j = 0; j <= m; j++)
            {
                for (int k = 0; k <= max; k++)
                {
                    if (i == 0 || j == 0)
                    {
                        ways[i, j, k] = k == 0 ? 1 : 0;
                        continue;
                    }

                    ways[i, j, k] = (k - i >= 0 ? ways[i, j - 1, k - i] : 0) + ways[i - 1, j, k];
                }
            }
        }

        double total = 0, tail = 0;
        int threshold = (int)Math.Ceiling(u - 1e-9);
        for (int k = 0; k <= max; k++)
        {
            total += ways[n, m, k];
            if (k >= threshold) tail += ways[n, m, k];
        }

        return tail / total;
    }

    /// <summary>P(U ≥ u) by the normal approximation with a continuity correction and the tie-corrected variance.</summary>
    private static double NormalUpperTail(IReadOnlyList<double> x, IReadOnlyList<double> y, double u)
    {
        int n = x.Count, m = y.Count, total = n + m;
        double ties = x.Concat(y).GroupBy(v => v).Select(g => (double)g.Count()).Sum(t => t * t * t - t);
        double variance = n * (double)m / 12 * (total + 1 - ties / (total * (total - 1.0)));
        if (variance <= 0) return u > n * m / 2.0 ? 0 : 1;
        double z = (u - n * m / 2.0 - 0.5) / Math.Sqrt(variance);
        return 0.5 * Erfc(z / Math.Sqrt(2));
    }

    /// <summary>The complementary error function (Numerical Recipes' erfcc, fractional error below 1.2e-7).</summary>
    private static double Erfc(double x)
    {
        double z = Math.Abs(x), t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
