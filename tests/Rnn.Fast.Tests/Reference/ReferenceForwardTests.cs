using FsCheck.Xunit;
using Rnn.Fast.Reference;

namespace Rnn.Fast.Tests.Reference;

/// <summary>Laws of the reference forward pass and losses that hold for any shape and values.</summary>
public sealed class ReferenceForwardTests
{
    // A forward pass per case is cheap (well under a millisecond); 100 is FsCheck's default and plenty here.
    private const int Cases = 100;

    [Property(MaxTest = Cases, Arbitrary = [typeof(GradientCheckCase)])]
    public void AnEmptyInitialHiddenStateMeansZeros(GradientCheckCase problem)
    {
        var (parameters, inputs, initialHidden, _) = problem.Values(LossKind.LastOutputMeanSquaredError);

        ReferenceForwardPass implicitZeros = ReferenceRnn.Forward(problem.Shape, parameters, inputs, problem.SequenceLength, problem.BatchSize);
        ReferenceForwardPass explicitZeros = ReferenceRnn.Forward(problem.Shape, parameters, inputs, problem.SequenceLength,
            problem.BatchSize, new double[initialHidden.Length]);

        Assert.Equal(explicitZeros.HiddenStates.ToArray(), implicitZeros.HiddenStates.ToArray());
        Assert.Equal(explicitZeros.Outputs.ToArray(), implicitZeros.Outputs.ToArray());
    }

    [Property(MaxTest = Cases, Arbitrary = [typeof(GradientCheckCase)])]
    public void EachSequenceOfABatchIsComputedAsIfItWereAlone(GradientCheckCase problem)
    {
        var (parameters, inputs, initialHidden, _) = problem.Values(LossKind.LastOutputMeanSquaredError);
        int n = problem.BatchSize, d = problem.InputSize, h = problem.HiddenSize, o = problem.OutputSize, T = problem.SequenceLength;
        ReferenceForwardPass batch = ReferenceRnn.Forward(problem.Shape, parameters, inputs, T, n, initialHidden);

        for (int b = 0; b < n; b++)
        {
            // Sequence b alone: X_t[b] for every t, and H_0[b].
            double[] alone = [.. Enumerable.Range(0, T).SelectMany(t => inputs.AsSpan((t * n + b) * d, d).ToArray())];
            ReferenceForwardPass single = ReferenceRnn.Forward(problem.Shape, parameters, alone, T, 1,
                initialHidden.AsSpan(b * h, h));
            for (int t = 1; t <= T; t++)
            {
                Assert.Equal(single.HiddenState(t).ToArray(), batch.HiddenState(t).Slice(b * h, h).ToArray());
                Assert.Equal(single.Output(t).ToArray(), batch.Output(t).Slice(b * o, o).ToArray());
            }
        }
    }

    [Property(MaxTest = Cases, Arbitrary = [typeof(GradientCheckCase)])]
    public void AllOutputsLossIsTheMeanOverStepsOfEachStepsMeanSquaredError(GradientCheckCase problem)
    {
        var (parameters, inputs, initialHidden, targets) = problem.Values(LossKind.AllOutputsMeanSquaredError);
        int n = problem.BatchSize, o = problem.OutputSize, T = problem.SequenceLength;
        ReferenceForwardPass forward = ReferenceRnn.Forward(problem.Shape, parameters, inputs, T, n, initialHidden);

        // (1/(T·n·o)) Σ_t Σ (O_t − Y_t)² = (1/T) Σ_t [(1/(n·o)) Σ (O_t − Y_t)²]
        double meanOfSteps = Enumerable.Range(1, T).Average(t =>
        {
            ReadOnlySpan<double> output = forward.Output(t);
            double sum = 0;
            for (int i = 0; i < n * o; i++) sum += Math.Pow(output[i] - targets[(t - 1) * n * o + i], 2);
            return sum / (n * o);
        });

        Assert.Equal(meanOfSteps, ReferenceRnn.Loss(forward, targets, LossKind.AllOutputsMeanSquaredError), 1e-12);
    }

    [Property(MaxTest = Cases, Arbitrary = [typeof(GradientCheckCase)])]
    public void OnAOneStepSequenceBothLossesAgree(GradientCheckCase problem)
    {
        var oneStep = problem with { SequenceLength = 1 };
        var (parameters, inputs, initialHidden, targets) = oneStep.Values(LossKind.LastOutputMeanSquaredError);
        ReferenceForwardPass forward = ReferenceRnn.Forward(oneStep.Shape, parameters, inputs, 1, oneStep.BatchSize, initialHidden);

        Assert.Equal(ReferenceRnn.Loss(forward, targets, LossKind.LastOutputMeanSquaredError),
            ReferenceRnn.Loss(forward, targets, LossKind.AllOutputsMeanSquaredError));
    }

    [Fact]
    public void WidenKeepsEveryFloatExactly()
    {
        float[] values = [0f, -0f, 1.5f, float.Epsilon, float.MaxValue, 0.1f, float.NaN, float.NegativeInfinity];

        double[] widened = ReferenceRnn.Widen(values);

        Assert.Equal(values.Length, widened.Length);
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(values[i]), BitConverter.SingleToInt32Bits((float)widened[i]));
            Assert.Equal((double)values[i], widened[i]);
        }
    }
}
