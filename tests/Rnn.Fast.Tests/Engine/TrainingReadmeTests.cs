using Rnn.Fast.Interop;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Engine;

/// <summary>
/// The README's training example, compiled and run: AdamW with a bias group and a cosine schedule, a checkpoint with
/// the optimizer state, and a resumed run that ends where the uninterrupted run ends, bit for bit.
/// </summary>
public sealed class TrainingReadmeTests
{
    [Fact]
    public void TheTrainingExampleTrainsWithAdamWSavesACheckpointAndResumesBitForBit()
    {
        try
        {
            // The README's statements, verbatim.
            var shape = new RnnShape(inputSize: 1, hiddenSize: 16, outputSize: 1);
            var model = new RnnModel(shape, seed: 1);
            float[] inputs = [0.02f, 0.06f, 0.10f, 0.14f, 0.18f]; // 1, 3, 5, 7, 9 divided by 50
            float[] target = [0.22f];                             // 11 / 50

            // PyTorch's AdamW, no weight decay on the biases, the rate annealed along a cosine over 400 steps.
            var options = new TrainingOptions(learningRate: 0.01f)
            {
                Optimizer = new AdamWOptimizer { WeightDecay = 0.01 },
                ParameterGroups = [new ParameterGroup(RnnParameter.Bh, RnnParameter.Bo) { WeightDecay = 0 }],
                Schedule = new CosineAnnealingSchedule(length: 400),
                GuardNonFinite = true,
            };

            using (var workspace = new RnnWorkspace(model))
            {
                for (int step = 0; step < 200; step++)
                {
                    workspace.TrainStep(inputs, sequenceLength: 5, batchSize: 1, target, LossKind.LastOutputMeanSquaredError, options);
                }

                // A checkpoint: the parameters with the optimizer state (AdamW's moments and its step count, which
                // also places the schedule).
                RnnModelFile.Save(model, "checkpoint.rnnf", workspace.CopyTrainingState().ToSections());
            }

            // Later, perhaps in another process: load, restore, go on, as if training had never stopped.
            RnnModelFileContents checkpoint = RnnModelFile.LoadContents("checkpoint.rnnf");
            using var resumed = new RnnWorkspace(checkpoint.Model);
            resumed.RestoreTrainingState(checkpoint.TrainingState!);
            for (int step = 200; step < 400; step++)
            {
                resumed.TrainStep(inputs, sequenceLength: 5, batchSize: 1, target, LossKind.LastOutputMeanSquaredError, options);
            }
            // End of the README's statements.

            var straight = new RnnModel(shape, seed: 1);
            using (var workspace = new RnnWorkspace(straight))
            {
                for (int step = 0; step < 400; step++) workspace.TrainStep(inputs, 5, 1, target, LossKind.LastOutputMeanSquaredError, options);
            }
            FloatAssert.BitIdentical(straight.Parameters.ToArray(), checkpoint.Model.Parameters.ToArray(), "resumed vs uninterrupted");
            Assert.Equal(400, resumed.CopyTrainingState().StepCount);

            var prediction = new float[1];
            resumed.Forward(inputs, 5, 1, OutputSteps.LastStep, prediction);
            Assert.InRange(50 * prediction[0], 10.5, 11.5);
        }
        finally
        {
            File.Delete("checkpoint.rnnf");
        }
    }
}
