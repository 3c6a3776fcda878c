using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Engine;

/// <summary>The README's quick start, compiled and run, so the README cannot show code that does not work.</summary>
public sealed class QuickStartReadmeTests
{
    [Fact]
    public void TheQuickStartTrainsPredictsSavesLoadsAndStreamsAsItsCommentsSay()
    {
        var console = new StringWriter();
        TextWriter original = Console.Out;
        Console.SetOut(console);
        try
        {
            // The README's quick start, verbatim.
            var shape = new RnnShape(inputSize: 1, hiddenSize: 16, outputSize: 1);
            var model = new RnnModel(shape, seed: 1);

            float[] inputs = [0.02f, 0.06f, 0.10f, 0.14f, 0.18f]; // 1, 3, 5, 7, 9 divided by 50; T = 5, n = 1, d = 1
            float[] target = [0.22f];                             // 11 / 50

            // Check the fast engine against the double-precision reference on your own shape and data first.
            VerificationReport report = EngineVerification.Compare(model, inputs, 5, 1, target, LossKind.LastOutputMeanSquaredError);
            Console.WriteLine(report);

            using var workspace = new RnnWorkspace(model);
            var options = new TrainingOptions(learningRate: 0.3f) { GuardNonFinite = true };
            for (int step = 0; step < 300; step++)
            {
                workspace.TrainStep(inputs, sequenceLength: 5, batchSize: 1, target, LossKind.LastOutputMeanSquaredError, options);
            }

            var prediction = new float[1];
            workspace.Forward(inputs, sequenceLength: 5, batchSize: 1, OutputSteps.LastStep, prediction);
            Console.WriteLine($"1, 3, 5, 7, 9 -> {50 * prediction[0]:0.00}");

            RnnModelFile.Save(model, "odd-numbers.rnnf");          // atomic: the old file or the new one, never a mixture
            RnnModel loaded = RnnModelFile.Load("odd-numbers.rnnf"); // bit for bit, or an InvalidModelFileException

            var session = new RnnStreamingSession(loaded);
            var output = new float[1];
            foreach (float x in inputs) session.Step([x], output); // output[0] == prediction[0], bit for bit
            // End of the README's statements.

            Assert.InRange(50 * prediction[0], 10.5, 11.5);
            FloatAssert.BitIdentical(prediction[0], output[0], "streamed from the loaded model vs the sequence forward pass");
            Assert.Equal(model.Parameters.ToArray(), loaded.Parameters.ToArray());
            Assert.True(report.Worst.RelativeError < 1e-4, report.ToString());
            Assert.Contains("1, 3, 5, 7, 9 -> 1", console.ToString());
        }
        finally
        {
            Console.SetOut(original);
            File.Delete("odd-numbers.rnnf");
        }
    }
}
