using Rnn.Fast.Interop;
using Rnn.Fast.Kernels;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Engine;

/// <summary>
/// A one-row training step with plain descent updates each weight matrix as it computes its gradient; it must leave the
/// bits of the gradients followed by a separate update, and must not be taken by an update or a policy that has to see
/// the whole gradient first (momentum, Adam, weight decay, clipping, the guard).
/// </summary>
public sealed class FusedDescentTests
{
    // h = 130 and d = 40 leave tail columns past the last whole vector on every vector path; o = 8 is all tail on
    // AVX-512; (3, 5, 2) is narrower than any vector.
    private static readonly RnnShape[] Shapes = [new(32, 128, 32), new(40, 130, 8), new(17, 192, 16), new(3, 5, 2)];
    private const int Steps = 3;

    [Theory]
    [MemberData(nameof(TestData.SupportedPaths), MemberType = typeof(TestData))]
    public void AOneRowStepLeavesTheBitsOfTheGradientsFollowedByTheUpdate(InstructionSet path)
    {
        foreach (RnnShape shape in Shapes)
        {
            foreach (LossKind loss in new[] { LossKind.LastOutputMeanSquaredError, LossKind.AllOutputsMeanSquaredError })
            {
                float[] initial = ParameterInitialization.CreateUniform(shape, 3);
                var fused = new RnnModel(shape, initial, path);
                var separate = new RnnModel(shape, initial, path);
                using var fusedTrainer = new RnnWorkspace(fused);
                using var separateTrainer = new RnnWorkspace(separate);
                Assert.True(fusedTrainer.FusesDescent(1, 1));
                // A given H_0 makes the gradient of Whh, H_0ᵀ·dA, non-zero.
                float[] inputs = Values(shape.InputSize, 4), hidden = Values(shape.HiddenSize, 5), targets = Values(shape.OutputSize, 6);
                var gradients = new float[shape.ParameterCount];
                string context = $"{path}, {shape}, {loss}";
                for (int step = 0; step < Steps; step++)
                {
                    float a = fusedTrainer.TrainStep(inputs, 1, 1, targets, loss, 0.1f, hidden);
                    float b = separateTrainer.ComputeGradients(inputs, 1, 1, targets, loss, gradients, hidden);
                    separate.ApplyGradientDescent(gradients, 0.1f);
                    FloatAssert.BitIdentical(b, a, $"{context}, loss of step {step}");
                }

                FloatAssert.BitIdentical(separate.Parameters, fused.Parameters, $"{context}, parameters after {Steps} steps");
                Assert.NotEqual(initial, fused.Parameters.ToArray());
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestData.SupportedPaths), MemberType = typeof(TestData))]
    public void PerTensorRatesAndTheirScheduleGiveTheBitsOfTheSeparateUpdate(InstructionSet path)
    {
        // The guard makes the step check the whole gradient and the update before applying it, so it never fuses.
        var options = new TrainingOptions(0.05f)
        {
            Schedule = new StepDecaySchedule(1, 0.5),
            ParameterGroups = [new ParameterGroup(RnnParameter.Whh) { LearningRate = 0.3f }, new ParameterGroup(RnnParameter.Bh, RnnParameter.Bo) { LearningRate = 0 }],
        };
        foreach (RnnShape shape in Shapes)
        {
            (RnnModel fused, TrainingState fusedState) = Train(shape, path, options);
            (RnnModel separate, TrainingState separateState) = Train(shape, path, options with { GuardNonFinite = true });
            FloatAssert.BitIdentical(separate.Parameters, fused.Parameters, $"{path}, {shape}, parameters after {Steps} steps");
            Assert.Equal(separateState.Kind, fusedState.Kind);
            Assert.Equal(Steps, fusedState.StepCount);
            // The biases' rate is 0, so they are as initialized; the weights moved.
            FloatAssert.BitIdentical(shape.Bh(ParameterInitialization.CreateUniform(shape, 3)), shape.Bh(fused.Parameters), $"{path}, {shape}, bh");
        }
    }

    public static TheoryData<string> UnfusedPolicies() => new(nameof(SgdOptimizer.Momentum), nameof(SgdOptimizer.WeightDecay), "Adam",
        "AdamW", nameof(TrainingOptions.MaxGradientNorm), nameof(TrainingOptions.MaxGradientValue));

    [Theory]
    [MemberData(nameof(UnfusedPolicies))]
    public void AnUpdateOrPolicyThatNeedsTheWholeGradientIsNotFused(string policy)
    {
        // Were plain descent applied instead, the parameters would differ from the guarded step's, which never fuses.
        var options = new TrainingOptions(0.1f);
        options = policy switch
        {
            nameof(SgdOptimizer.Momentum) => options with { Optimizer = new SgdOptimizer { Momentum = 0.9 } },
            nameof(SgdOptimizer.WeightDecay) => options with { Optimizer = new SgdOptimizer { WeightDecay = 0.5 } },
            "Adam" => options with { Optimizer = new AdamOptimizer() },
            "AdamW" => options with { Optimizer = new AdamWOptimizer() },
            nameof(TrainingOptions.MaxGradientNorm) => options with { MaxGradientNorm = 1e-3f },
            _ => options with { MaxGradientValue = 1e-3f },
        };
        foreach (RnnShape shape in Shapes)
        {
            (RnnModel unguarded, _) = Train(shape, KernelDispatch.Active, options);
            (RnnModel guarded, _) = Train(shape, KernelDispatch.Active, options with { GuardNonFinite = true });
            (RnnModel plain, _) = Train(shape, KernelDispatch.Active, new TrainingOptions(0.1f));
            FloatAssert.BitIdentical(guarded.Parameters, unguarded.Parameters, $"{policy}, {shape}");
            Assert.NotEqual(plain.Parameters.ToArray(), unguarded.Parameters.ToArray());
        }
    }

    private static (RnnModel Model, TrainingState State) Train(RnnShape shape, InstructionSet path, TrainingOptions options)
    {
        var model = new RnnModel(shape, ParameterInitialization.CreateUniform(shape, 3), path);
        using var workspace = new RnnWorkspace(model);
        float[] inputs = Values(shape.InputSize, 4), hidden = Values(shape.HiddenSize, 5), targets = Values(shape.OutputSize, 6);
        for (int step = 0; step < Steps; step++)
        {
            workspace.TrainStep(inputs, 1, 1, targets, LossKind.LastOutputMeanSquaredError, options, hidden);
        }
        return (model, workspace.CopyTrainingState());
    }

    private static float[] Values(int length, int seed) => TestData.Uniform(new Random(seed), length, 1);
}
