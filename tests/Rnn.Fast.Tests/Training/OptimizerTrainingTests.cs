using Rnn.Fast.Interop;
using Rnn.Fast.Kernels;
using Rnn.Fast.Tests.Kernels;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Training;

/// <summary>
/// The optimizers inside the training step: bit-identical on every path over many steps, the composition the docs
/// state (gradients, clipping by value, then by norm, then the optimizer's pass at the schedule's rate), the guard over
/// parameters and state, the state's kind, and every refused input named with nothing changed.
/// </summary>
public sealed class OptimizerTrainingTests
{
    private static readonly RnnShape Shape = new(3, 17, 2); // 17 hidden: no tensor is a multiple of a vector width
    private const int T = 4, N = 3;
    private const LossKind All = LossKind.AllOutputsMeanSquaredError;
    private static readonly ParameterGroup Biases = new(RnnParameter.Bh, RnnParameter.Bo) { WeightDecay = 0 };

    public static TheoryData<string> OptionNames()
    {
        var data = new TheoryData<string>();
        foreach (string name in Options.Keys) data.Add(name);
        return data;
    }

    private static readonly Dictionary<string, TrainingOptions> Options = new()
    {
        ["sgd-momentum"] = new(0.05f) { Optimizer = new SgdOptimizer { Momentum = 0.9, Dampening = 0.2, WeightDecay = 1e-3 }, ParameterGroups = [Biases] },
        ["sgd-nesterov-steplr"] = new(0.05f) { Optimizer = new SgdOptimizer { Momentum = 0.8, Nesterov = true }, Schedule = new StepDecaySchedule(3, 0.5) },
        ["adam-amsgrad"] = new(0.01f) { Optimizer = new AdamOptimizer { AmsGrad = true, WeightDecay = 1e-2 }, Schedule = new LinearSchedule(0.2, 1, 5) },
        ["adamw-cosine-clipped"] = new(0.01f)
        {
            Optimizer = new AdamWOptimizer { WeightDecay = 0.05 }, Schedule = new CosineAnnealingSchedule(8, 1e-4),
            ParameterGroups = [Biases with { LearningRate = 0.02f }], MaxGradientValue = 0.05f, MaxGradientNorm = 0.1f, GuardNonFinite = true,
        },
    };

    [Theory]
    [MemberData(nameof(OptionNames))]
    public void TwelveStepsAreBitIdenticalOnEveryPathAndEqualTheirComposition(string name)
    {
        TrainingOptions options = Options[name];
        float[] inputs = Values(T * N * 3, 1), targets = Values(T * N * 2, 2);
        float[] trained = KernelPaths.RunOnEveryPath(path =>
        {
            var model = new RnnModel(Shape, ParameterInitialization.CreateUniform(Shape, 3), path);
            using var workspace = new RnnWorkspace(model);
            for (int step = 0; step < 12; step++) workspace.TrainStep(inputs, T, N, targets, All, options);
            TrainingState state = workspace.CopyTrainingState();
            Assert.Equal(12, state.StepCount);
            return [.. model.Parameters, .. state.Buffer(0), .. state.Buffer(1), .. state.Buffer(2)];
        }, name);

        // The same run by hand: ComputeGradients, ClipByValue, ClipByGlobalNorm, then the state's pass at the schedule's rate.
        var byHand = new RnnModel(Shape, ParameterInitialization.CreateUniform(Shape, 3), InstructionSet.Scalar);
        using var gradientsWorkspace = new RnnWorkspace(byHand);
        using var state = new OptimizerState(Shape);
        float[] gradients = new float[Shape.ParameterCount], parameters = byHand.Parameters.ToArray();
        for (int step = 0; step < 12; step++)
        {
            byHand.SetParameters(parameters);
            gradientsWorkspace.ComputeGradients(inputs, T, N, targets, All, gradients);
            if (options.MaxGradientValue is float limit) GradientClipping.ClipByValue(gradients, limit, InstructionSet.Scalar);
            if (options.MaxGradientNorm is float norm) GradientClipping.ClipByGlobalNorm(gradients, norm, InstructionSet.Scalar);
            state.RequireCompatible(options.Optimizer);
            state.Prepare(options);
            double expectedRate = options.Schedule?.LearningRateAt(options.LearningRate, step) ?? options.LearningRate;
            Assert.Equal(expectedRate, state.LearningRateOf(RnnParameter.Wxh));
            state.Apply(parameters, gradients, InstructionSet.Scalar);
        }
        TrainingState copy = state.Copy();
        FloatAssert.BitIdentical([.. parameters, .. copy.Buffer(0), .. copy.Buffer(1), .. copy.Buffer(2)], trained, $"{name}: TrainStep vs its composition");
    }

    [Fact]
    public void PlainTrainStepKeepsTheBitsOfApplyGradientDescentAndCountsSgdSteps()
    {
        float[] inputs = Values(T * N * 3, 1), targets = Values(T * N * 2, 2), gradients = new float[Shape.ParameterCount];
        var trained = new RnnModel(Shape, 9UL);
        var manual = new RnnModel(Shape, 9UL);
        using var workspace = new RnnWorkspace(trained);
        using var manualWorkspace = new RnnWorkspace(manual);
        for (int step = 0; step < 4; step++)
        {
            workspace.TrainStep(inputs, T, N, targets, All, 0.1f);
            manualWorkspace.ComputeGradients(inputs, T, N, targets, All, gradients);
            manual.ApplyGradientDescent(gradients, 0.1f);
        }
        FloatAssert.BitIdentical(manual.Parameters.ToArray(), trained.Parameters.ToArray(), "TrainStep(lr) vs ApplyGradientDescent");
        TrainingState state = workspace.CopyTrainingState();
        Assert.Equal((TrainingStateKind?)TrainingStateKind.Sgd, state.Kind);
        Assert.Equal(4, state.StepCount);
        Assert.True(state.MomentumBuffer.IsEmpty && state.FirstMoment.IsEmpty);
    }

    [Fact]
    public void AStepWhoseSecondMomentWouldOverflowIsRefusedAndChangesNeitherParametersNorState()
    {
        // Shape (1, 2, 1), every parameter 0: O = bo = 0, so with Y = −9.5e18 the loss (9.5e18)² = 9e37 is finite and
        // ∂L/∂bo = 2·9.5e18 = 1.9e19. With β2 = 0, v = g² = 3.6e38 overflows to +∞ while bo would move by m/∞ = 0:
        // only the check of the state catches it.
        var shape = new RnnShape(1, 2, 1);
        var model = new RnnModel(shape, new float[shape.ParameterCount]);
        using var workspace = new RnnWorkspace(model);
        var options = new TrainingOptions(1e-3f) { Optimizer = new AdamOptimizer { Beta2 = 0 }, GuardNonFinite = true };
        workspace.TrainStep([0f], 1, 1, [0f], LossKind.LastOutputMeanSquaredError, options);
        float[] parameters = model.Parameters.ToArray();
        TrainingState before = workspace.CopyTrainingState();

        var error = Assert.Throws<NonFiniteValueException>(() => workspace.TrainStep([0f], 1, 1, [-9.5e18f], LossKind.LastOutputMeanSquaredError, options));
        Assert.Equal(TrainingTensor.UpdatedOptimizerState, error.Tensor);
        Assert.Equal(shape.BoOffset, error.Index);
        Assert.Equal("exp_avg_sq of bo[0]", error.Location);
        Assert.Equal(float.PositiveInfinity, error.Value);
        FloatAssert.BitIdentical(parameters, model.Parameters.ToArray(), "parameters after the refused step");
        TrainingState after = workspace.CopyTrainingState();
        Assert.Equal(before.StepCount, after.StepCount);
        FloatAssert.BitIdentical(before.FirstMoment.ToArray(), after.FirstMoment.ToArray(), "m after the refused step");
        FloatAssert.BitIdentical(before.SecondMoment.ToArray(), after.SecondMoment.ToArray(), "v after the refused step");

        // Without the guard the same step goes through and leaves v = +∞ in the state for good.
        workspace.TrainStep([0f], 1, 1, [-9.5e18f], LossKind.LastOutputMeanSquaredError, options with { GuardNonFinite = false });
        Assert.Equal(float.PositiveInfinity, workspace.CopyTrainingState().SecondMoment[shape.BoOffset]);
    }

    [Fact]
    public void AStateOfOneOptimizerRefusesAnotherUntilResetAndNothingChanges()
    {
        float[] inputs = Values(T * N * 3, 1), targets = Values(T * N * 2, 2);
        var model = new RnnModel(Shape, 4UL);
        using var workspace = new RnnWorkspace(model);
        var adam = new TrainingOptions(1e-3f) { Optimizer = new AdamOptimizer() };
        workspace.TrainStep(inputs, T, N, targets, All, adam);
        workspace.TrainStep(inputs, T, N, targets, All, adam);
        float[] parameters = model.Parameters.ToArray();

        var error = Assert.Throws<InvalidOperationException>(() =>
            workspace.TrainStep(inputs, T, N, targets, All, new TrainingOptions(0.1f) { Optimizer = new SgdOptimizer { Momentum = 0.9 } }));
        Assert.Contains("belongs to Adam (after 2 steps)", error.Message);
        Assert.Contains("asks for SgdMomentum", error.Message);
        Assert.Throws<InvalidOperationException>(() => workspace.TrainStep(inputs, T, N, targets, All, 0.1f));
        Assert.Throws<InvalidOperationException>(() => workspace.TrainStep(inputs, T, N, targets, All, adam with { Optimizer = new AdamOptimizer { AmsGrad = true } }));
        FloatAssert.BitIdentical(parameters, model.Parameters.ToArray(), "parameters after refused steps");
        Assert.Equal(2, workspace.CopyTrainingState().StepCount);

        // Hyper-parameters of the same kind may change between steps, as torch's param_groups may.
        workspace.TrainStep(inputs, T, N, targets, All, adam with { Optimizer = new AdamOptimizer { Beta1 = 0.5 } });
        workspace.ResetTrainingState();
        Assert.Null(workspace.CopyTrainingState().Kind);
        workspace.TrainStep(inputs, T, N, targets, All, 0.1f);
        Assert.Equal((TrainingStateKind?)TrainingStateKind.Sgd, workspace.CopyTrainingState().Kind);
    }

    [Fact]
    public void ABadStateIsRefusedNamingWhatIsWrongAndNothingChanges()
    {
        var model = new RnnModel(Shape, 4UL);
        using var workspace = new RnnWorkspace(model);
        var options = new TrainingOptions(1e-3f) { Optimizer = new AdamWOptimizer() };
        workspace.TrainStep(Values(T * N * 3, 1), T, N, Values(T * N * 2, 2), All, options);
        TrainingState before = workspace.CopyTrainingState();
        int p = Shape.ParameterCount;

        var other = new RnnShape(3, 16, 2);
        var shapeError = Assert.Throws<ArgumentException>(() => workspace.RestoreTrainingState(TrainingState.Create(other, TrainingStateKind.Adam, 1,
            new float[other.ParameterCount], new float[other.ParameterCount])));
        Assert.Equal("state", shapeError.ParamName);
        Assert.Contains("shape d=3, h=16, o=2, but this workspace's model has shape d=3, h=17, o=2; nothing changed", shapeError.Message);

        Assert.Contains("A AdamW state holds 2 buffers, but 1 were given",
            Assert.Throws<ArgumentException>(() => TrainingState.Create(Shape, TrainingStateKind.AdamW, 1, new float[p])).Message);
        Assert.Contains("Buffer exp_avg must hold " + p,
            Assert.Throws<ArgumentException>(() => TrainingState.Create(Shape, TrainingStateKind.Adam, 1, new float[p - 1], new float[p])).Message);
        float[] negative = new float[p];
        negative[Shape.WhhOffset + 5] = -1e-9f;
        Assert.Contains("Buffer exp_avg_sq holds -1E-09 at Whh[0, 5]",
            Assert.Throws<ArgumentException>(() => TrainingState.Create(Shape, TrainingStateKind.Adam, 1, new float[p], negative)).Message);
        float[] nan = new float[p];
        nan[Shape.BoOffset] = float.NaN;
        Assert.Contains("Buffer momentum_buffer holds NaN at bo[0]",
            Assert.Throws<ArgumentException>(() => TrainingState.Create(Shape, TrainingStateKind.SgdMomentum, 3, nan)).Message);
        Assert.Equal("stepCount", Assert.Throws<ArgumentOutOfRangeException>(() => TrainingState.Create(Shape, TrainingStateKind.Sgd, -1)).ParamName);

        TrainingState after = workspace.CopyTrainingState();
        Assert.Equal(before.StepCount, after.StepCount);
        FloatAssert.BitIdentical(before.SecondMoment.ToArray(), after.SecondMoment.ToArray(), "v after refused restores");
    }

    [Fact]
    public void BadHyperParametersAreRefusedNamingTheValue()
    {
        Assert.Contains("Momentum must be finite and at least 0, but is -0.1", Assert.Throws<ArgumentOutOfRangeException>(() => new SgdOptimizer { Momentum = -0.1 }).Message);
        Assert.Contains("Dampening must be in [0, 1], but is 1.5", Assert.Throws<ArgumentOutOfRangeException>(() => new SgdOptimizer { Dampening = 1.5 }).Message);
        Assert.Contains("WeightDecay must be finite and at least 0, but is NaN", Assert.Throws<ArgumentOutOfRangeException>(() => new SgdOptimizer { WeightDecay = double.NaN }).Message);
        Assert.Contains("Beta1 must be in [0, 1), but is 1", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamOptimizer { Beta1 = 1 }).Message);
        Assert.Contains("Beta2 must be in [0, 1), but is -0.5", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamWOptimizer { Beta2 = -0.5 }).Message);
        Assert.Contains("Epsilon must be finite and at least 0, but is", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamOptimizer { Epsilon = double.PositiveInfinity }).Message);
        Assert.Contains("Nesterov momentum needs a momentum above 0 and zero dampening, but Momentum is 0.9 and Dampening is 0.1",
            Assert.Throws<ArgumentException>(() => new TrainingOptions(0.1f) { Optimizer = new SgdOptimizer { Momentum = 0.9, Dampening = 0.1, Nesterov = true } }).Message);
        Assert.Contains("maximum gradient value", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions(0.1f) { MaxGradientValue = 0 }).Message);
        Assert.Contains("Bh is in more than one parameter group", Assert.Throws<ArgumentException>(() =>
            new TrainingOptions(0.1f) { ParameterGroups = [new ParameterGroup(RnnParameter.Bh), new ParameterGroup(RnnParameter.Bo, RnnParameter.Bh)] }).Message);
        Assert.Contains("Who appears more than once", Assert.Throws<ArgumentException>(() => new ParameterGroup(RnnParameter.Who, RnnParameter.Who)).Message);
        Assert.Contains("WeightDecay must be finite and at least 0, but is -1", Assert.Throws<ArgumentOutOfRangeException>(() => new ParameterGroup(RnnParameter.Bo) { WeightDecay = -1 }).Message);
        Assert.Throws<ArgumentNullException>(() => new TrainingOptions(0.1f) { Optimizer = null! });
    }

    [Fact]
    public void ResumingFromACopiedStateInANewWorkspaceEqualsTheRunThatNeverStopped()
    {
        // The file round trip is tested with the model file; here the state alone, at every stopping point of a short run.
        TrainingOptions options = Options["adamw-cosine-clipped"];
        float[] inputs = Values(T * N * 3, 1), targets = Values(T * N * 2, 2);
        var straight = new RnnModel(Shape, 6UL);
        using (var workspace = new RnnWorkspace(straight))
        {
            for (int step = 0; step < 10; step++) workspace.TrainStep(inputs, T, N, targets, All, options);
        }

        for (int stop = 0; stop <= 10; stop++)
        {
            var first = new RnnModel(Shape, 6UL);
            TrainingState saved;
            using (var workspace = new RnnWorkspace(first))
            {
                for (int step = 0; step < stop; step++) workspace.TrainStep(inputs, T, N, targets, All, options);
                saved = workspace.CopyTrainingState();
            }

            var resumed = new RnnModel(Shape, first.Parameters);
            using (var workspace = new RnnWorkspace(resumed))
            {
                workspace.RestoreTrainingState(saved);
                for (int step = stop; step < 10; step++) workspace.TrainStep(inputs, T, N, targets, All, options);
            }
            FloatAssert.BitIdentical(straight.Parameters.ToArray(), resumed.Parameters.ToArray(), $"stopped after {stop} steps");
        }
    }

    private static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        return TestData.Uniform(random, length, 1f);
    }
}
