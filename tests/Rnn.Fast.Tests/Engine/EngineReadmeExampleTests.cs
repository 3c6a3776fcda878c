using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Engine;

/// <summary>The README's engine tour, compiled and run, so the README cannot show code that does not work.</summary>
public sealed class EngineReadmeExampleTests
{
    [Fact]
    public void TheReadmesEngineExampleRunsAndDoesWhatItsCommentsSay()
    {
        // Same statements as the README's "The fast engine" section.
        var shape = new RnnShape(inputSize: 1, hiddenSize: 16, outputSize: 1);
        var model = new RnnModel(shape, seed: 1);

        float[] inputs = [0.02f, 0.06f, 0.10f, 0.14f, 0.18f]; // 1, 3, 5, 7, 9 divided by 50; T = 5, n = 1, d = 1
        float[] target = [0.22f];                             // 11 / 50

        // Check the fast engine against the double-precision reference on your own shape and data first.
        VerificationReport report = EngineVerification.Compare(model, inputs, 5, 1, target, LossKind.LastOutputMeanSquaredError);
        Console.WriteLine(report);

        using var workspace = new RnnWorkspace(model);
        float loss = 0;
        for (int step = 0; step < 300; step++)
        {
            loss = workspace.TrainStep(inputs, sequenceLength: 5, batchSize: 1, target, LossKind.LastOutputMeanSquaredError, learningRate: 0.3f);
        }

        var prediction = new float[1];
        workspace.Forward(inputs, sequenceLength: 5, batchSize: 1, OutputSteps.LastStep, prediction);

        var session = new RnnStreamingSession(model);
        var output = new float[1];
        foreach (float x in inputs) session.Step([x], output); // output[0] == prediction[0], bit for bit

        var gradients = new float[shape.ParameterCount];
        workspace.Backward(outputGradients: [2 * (prediction[0] - target[0])], gradients, initialHiddenGradients: default, inputGradients: default);
        model.ApplyGradientDescent(gradients, learningRate: 0.3f);
        // End of the README's statements.

        Assert.InRange(50 * prediction[0], 10.5, 11.5);
        Assert.True(loss < 1e-3, $"loss {loss}");
        FloatAssert.BitIdentical(prediction[0], output[0], "streamed vs sequence");
        Assert.True(report.Worst.RelativeError < 1e-4, report.ToString());
    }
}
