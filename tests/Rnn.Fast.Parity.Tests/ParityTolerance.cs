namespace Rnn.Fast.Parity.Tests;

/// <summary>
/// How far two correct implementations of the same problem may disagree, per compared array, when both compute in
/// a given precision and differ only in the order of their sums (and in their tanh, each within an ulp or two).
/// </summary>
/// <remarks>
/// <para>Derivation. A sum of K products computed in any order is within γ_K·Σ|terms| ≈ K·u·Σ|terms| of the exact
/// value (Higham, Accuracy and Stability of Numerical Algorithms, §3.1), so two orders differ by at most
/// 2K·u·Σ|terms|. The longest sums here are the pre-activation (d + h + 1 terms), the output and dH (h + o terms)
/// and the weight gradients, which sum over every step and sequence (T·n terms): K = max(d + h + 1, h + o, T·n).
/// For random data Σ|terms| is about √K times the result, but the errors themselves grow like √K·u, not K·u, so
/// K·u·|result| is the realistic size of one sum's error, and the largest |value| of the array stands for |result|.
/// The recurrence carries an error from one step to the next through Whh·diag(1 − H²); with weights uniform in
/// ±1/√h the spectral norm of Whh is about 2/√3 ≈ 1.15 and tanh′ ≤ 1 (below 1 away from 0), so the gain per step
/// stays near 1 and errors add up over the steps rather than multiply: a factor T. Backward runs the same chains in
/// reverse and adds errors of the same kind. A safety factor of 16 covers that, the tanh differences and the
/// constants the estimate drops. So: |ours − torch| ≤ 16·T·K·u·max(1, max|torch array|) for every element.</para>
/// <para>Measured when this was written (reference vs libtorch 2.10, every case of these tests): the largest
/// error was 0.36·T·K·u·scale in double (a few ulps on the tiniest shapes) and 0.008·T·K·u·scale in float32, so the
/// bound has a margin of 40 or more.</para>
/// <para>In double (u = 2^−53 ≈ 1.1e−16) that is below 1e−10 relative for every shape here (T·K ≤ 32·512 for the
/// medium family at its largest), while a real mistake — a missing transpose, a dropped step, a wrong bias — changes
/// values by 1e−3 to 1, millions of times more. In float32 (u = 2^−24) the same formula holds torch's float32
/// against our double, with the inputs' rounding to float32 (relative 2^−24) within it.</para>
/// </remarks>
public static class ParityTolerance
{
    /// <summary>The unit roundoff of IEEE double, 2^−53.</summary>
    public static readonly double DoubleRoundoff = Math.ScaleB(1, -53);

    /// <summary>The unit roundoff of IEEE single, 2^−24.</summary>
    public static readonly double SingleRoundoff = Math.ScaleB(1, -24);

    /// <summary>The safety factor over T·K·u (see the remarks).</summary>
    public const double SafetyFactor = 16;

    /// <summary>The longest sum of the problem: K = max(d + h + 1, h + o, T·n).</summary>
    public static int LongestSum(ParityCase problem) => Math.Max(
        Math.Max(problem.InputSize + problem.HiddenSize + 1, problem.HiddenSize + problem.OutputSize),
        problem.SequenceLength * problem.BatchSize);

    /// <summary>The largest allowed |ours − torch| for an array whose largest magnitude (torch's) is <paramref name="scale"/>.</summary>
    /// <param name="problem">The problem; T and K come from its sizes.</param>
    /// <param name="roundoff">u of the precision the comparison runs in.</param>
    /// <param name="scale">max |value| of the array torch computed.</param>
    public static double Bound(ParityCase problem, double roundoff, double scale) =>
        SafetyFactor * problem.SequenceLength * LongestSum(problem) * roundoff * Math.Max(1, scale);
}
