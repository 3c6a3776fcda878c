using Rnn.Fast.Reference;

namespace Rnn.Fast.Tests.Reference;

/// <summary>The README's API tour, compiled and run, so the README cannot show code that does not work.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void TheReadmesReferenceExampleRunsAndItsStepLowersTheLoss()
    {
        // Same statements as the README's "The reference" section.
        var shape = new RnnShape(inputSize: 1, hiddenSize: 16, outputSize: 1);
        float[] weights = ParameterInitialization.CreateUniform(shape, seed: 1);
        double[] parameters = ReferenceRnn.Widen(weights);

        double[] inputs = [0.02, 0.06, 0.10, 0.14, 0.18]; // 1, 3, 5, 7, 9 divided by 50; T = 5, n = 1, d = 1
        double[] target = [0.22];                         // 11 / 50

        ReferenceForwardPass forward = ReferenceRnn.Forward(shape, parameters, inputs, sequenceLength: 5, batchSize: 1);
        double loss = ReferenceRnn.Loss(forward, target, LossKind.LastOutputMeanSquaredError);
        ReferenceGradients gradients = ReferenceRnn.Backward(forward, target, LossKind.LastOutputMeanSquaredError);
        ReferenceRnn.ApplyGradientDescent(shape, gradients.Parameters, learningRate: 0.3, parameters);

        double after = ReferenceRnn.Loss(ReferenceRnn.Forward(shape, parameters, inputs, 5, 1), target, LossKind.LastOutputMeanSquaredError);
        Assert.True(after < loss, $"loss {after} after the step, {loss} before");
        Assert.Equal(6, forward.HiddenStates.Length / 16); // H_0..H_5
        Assert.Equal(5 * 1 * 1, gradients.Inputs.Length);
    }
}
