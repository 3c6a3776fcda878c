namespace Rnn.Fast.Parity.Tests.Onnx;

/// <summary>Elementwise comparisons against per-element bounds, failing with the worst element and how far off it is.</summary>
internal static class BoundedComparison
{
    /// <summary>|actual − reference| ≤ bound[i] (+ referenceBound[i]) for every element.</summary>
    public static void Within(string what, ReadOnlySpan<float> actual, ReadOnlySpan<double> reference, double[] bound, double[]? referenceBound = null)
    {
        Assert.True(actual.Length == reference.Length && bound.Length == actual.Length,
            $"{what}: {actual.Length} values against {reference.Length} reference values and {bound.Length} bounds.");
        var total = new double[bound.Length];
        for (int i = 0; i < total.Length; i++) total[i] = bound[i] + (referenceBound?[i] ?? 0);
        float[] values = actual.ToArray();
        double[] expected = reference.ToArray();
        Check(what, values.Length, i => values[i] - expected[i], total);
    }

    /// <summary>The same for a double implementation (torch's float64 outputs) against the double reference.</summary>
    public static void Within(string what, double[] actual, double[] reference, double[] bound)
    {
        Assert.True(actual.Length == reference.Length && bound.Length == actual.Length, $"{what}: {actual.Length} values against {reference.Length}.");
        Check(what, actual.Length, i => actual[i] - reference[i], bound);
    }

    /// <summary>|a − b| ≤ boundA[i] + boundB[i] for every element: two implementations, each within its bound of the exact values.</summary>
    public static void Agree(string what, ReadOnlySpan<float> a, ReadOnlySpan<float> b, double[] boundA, double[] boundB)
    {
        Assert.True(a.Length == b.Length && boundA.Length == a.Length && boundB.Length == a.Length,
            $"{what}: {a.Length} against {b.Length} values, bounds of {boundA.Length} and {boundB.Length}.");
        var total = new double[a.Length];
        for (int i = 0; i < total.Length; i++) total[i] = boundA[i] + boundB[i];
        float[] first = a.ToArray(), second = b.ToArray();
        Check(what, a.Length, i => (double)first[i] - second[i], total);
    }

    /// <summary>The same with double values on one side (torch's float64 outputs).</summary>
    public static void Agree(string what, ReadOnlySpan<float> a, ReadOnlySpan<double> b, double[] boundA, double[] boundB)
    {
        var total = new double[a.Length];
        for (int i = 0; i < total.Length; i++) total[i] = boundA[i] + boundB[i];
        Within(what, a, b, total);
    }

    private static void Check(string what, int count, Func<int, double> difference, double[] bound)
    {
        int worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < count; i++)
        {
            double error = Math.Abs(difference(i));
            double ratio = error / bound[i];
            if (double.IsNaN(error) || ratio > worstRatio || (error > 0 && bound[i] == 0))
            {
                worstRatio = double.IsNaN(error) || bound[i] == 0 ? double.PositiveInfinity : ratio;
                worst = i;
            }
        }

        if (worstRatio > 1)
        {
            Assert.Fail($"{what}: element {worst} is off by {Math.Abs(difference(worst)):G4}, bound {bound[worst]:G4} ({worstRatio:G3} of it).");
        }
    }
}
