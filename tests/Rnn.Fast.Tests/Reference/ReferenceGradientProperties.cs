using FsCheck.Xunit;
using Rnn.Fast.Reference;

namespace Rnn.Fast.Tests.Reference;

/// <summary>
/// Every gradient the reference's backward pass returns (Wxh, Whh, bh, Who, bo, H_0 and X) agrees with a central
/// finite difference of its own forward pass and loss, in double, on random shapes.
/// </summary>
/// <remarks>
/// <para>Step and tolerance. The central difference <c>(L(x+ε) − L(x−ε))/(2ε)</c> differs from <c>L'(x)</c> by the
/// truncation error <c>ε²/6·L'''(ξ)</c> plus the rounding error of the two evaluations, about <c>c·u·|L|/ε</c> with
/// u = 2^−53 ≈ 1.1e−16 and c the number of roundings that reach L (a few hundred at these sizes). Here |L| ≲ 10 and
/// |L'''| ≲ 100, so ε = 1e−5 gives a truncation error ≲ 2e−9 and a rounding error ≲ 300·1.1e−16·10/1e−5 ≈ 3e−8
/// (ε ≈ (3cu|L|/|L'''|)^(1/3) ≈ 1e−5 balances them). The tolerance 1e−6·max(1, |g|) leaves a factor of 30 over
/// that bound, and far more over the errors actually seen (below 1e−8 when this was written).</para>
/// <para>It is also tight enough to catch real mistakes: a wrong sign changes a gradient by 2|g|, a missing time
/// step or a transposed Whh by the size of a whole term, and at these sizes and value ranges such terms are
/// 1e−3..1 — thousands of times the tolerance. Each mutation (a flipped sign, a dropped step in dWhh, Whh
/// transposed in the backward pass) was tried by hand and failed these properties.</para>
/// <para>Case count: 150 cases per loss. Each case costs up to ~700 forward passes (two per scalar
/// differentiated, ≤ 350 scalars at the largest shape), a few milliseconds; 150 keeps both properties near a second
/// while covering every size combination's corners many times over (each size range has at most 8 values).</para>
/// </remarks>
public sealed class ReferenceGradientProperties
{
    private const double Step = 1e-5;
    private const double Tolerance = 1e-6;
    private const int Cases = 150;

    [Property(MaxTest = Cases, Arbitrary = [typeof(GradientCheckCase)])]
    public void LastOutputLossGradientsMatchCentralDifferences(GradientCheckCase problem) =>
        CheckEveryGradient(problem, LossKind.LastOutputMeanSquaredError);

    [Property(MaxTest = Cases, Arbitrary = [typeof(GradientCheckCase)])]
    public void AllOutputsLossGradientsMatchCentralDifferences(GradientCheckCase problem) =>
        CheckEveryGradient(problem, LossKind.AllOutputsMeanSquaredError);

    private static void CheckEveryGradient(GradientCheckCase problem, LossKind loss)
    {
        var (parameters, inputs, initialHidden, targets) = problem.Values(loss);
        RnnShape shape = problem.Shape;
        ReferenceForwardPass forward =
            ReferenceRnn.Forward(shape, parameters, inputs, problem.SequenceLength, problem.BatchSize, initialHidden);
        ReferenceGradients gradients = ReferenceRnn.Backward(forward, targets, loss);
        double Evaluate() => problem.Loss(loss, parameters, inputs, initialHidden, targets);

        double[] analyticParameters = gradients.Parameters.ToArray();
        CheckRegion("dWxh", parameters, shape.WxhOffset, shape.WxhLength, analyticParameters, Evaluate);
        CheckRegion("dWhh", parameters, shape.WhhOffset, shape.WhhLength, analyticParameters, Evaluate);
        CheckRegion("dbh", parameters, shape.BhOffset, shape.BhLength, analyticParameters, Evaluate);
        CheckRegion("dWho", parameters, shape.WhoOffset, shape.WhoLength, analyticParameters, Evaluate);
        CheckRegion("dbo", parameters, shape.BoOffset, shape.BoLength, analyticParameters, Evaluate);
        CheckRegion("dH_0", initialHidden, 0, initialHidden.Length, gradients.InitialHidden.ToArray(), Evaluate);
        CheckRegion("dX", inputs, 0, inputs.Length, gradients.Inputs.ToArray(), Evaluate);
    }

    /// <summary>
    /// Compares analytic[offset + i] with the central difference of the loss in values[offset + i], for every i
    /// below length. The value is perturbed in place and restored.
    /// </summary>
    private static void CheckRegion(string name, double[] values, int offset, int length, double[] analytic, Func<double> evaluate)
    {
        for (int i = 0; i < length; i++)
        {
            double original = values[offset + i];
            values[offset + i] = original + Step;
            double above = evaluate();
            values[offset + i] = original - Step;
            double below = evaluate();
            values[offset + i] = original;

            double numeric = (above - below) / (2 * Step);
            double expected = analytic[offset + i];
            double error = Math.Abs(expected - numeric);
            Assert.True(error <= Tolerance * Math.Max(1, Math.Abs(numeric)),
                $"{name}[{i}]: backward gives {expected:R}, central difference {numeric:R} (error {error:E2}).");
        }
    }
}
