using Rnn.Fast.Kernels;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Engine;

/// <summary>
/// The training step's options: the non-finite guard refuses an update and names the culprit, clipping by global
/// norm follows PyTorch's clip_grad_norm_ and contains an exploding setup, and neither changes a finite step's bits
/// nor allocates.
/// </summary>
public sealed class TrainingOptionsTests
{
    private static readonly RnnShape Shape = new(3, 5, 2); // d = 3, h = 5, o = 2: 57 parameters
    private const int T = 4, N = 2;
    private const LossKind Last = LossKind.LastOutputMeanSquaredError, All = LossKind.AllOutputsMeanSquaredError;
    private static readonly TrainingOptions Guarded = new(0.1f) { GuardNonFinite = true };

    [Theory]
    [MemberData(nameof(TestData.SupportedPaths), MemberType = typeof(TestData))]
    public void TheGuardRefusesAStepWithANonFiniteInputAndNamesIt(InstructionSet path)
    {
        var model = Model(path, 3UL);
        using var workspace = new RnnWorkspace(model);
        float[] before = model.Parameters.ToArray();
        float[] inputs = Values(T * N * 3, 1), targets = Values(N * 2, 2);
        inputs[(3 - 1) * N * 3 + 1 * 3 + 2] = float.NaN; // X_3, batch row 1, column 2

        var error = Assert.Throws<NonFiniteValueException>(() => workspace.TrainStep(inputs, T, N, targets, Last, Guarded));
        Assert.Equal(TrainingTensor.Inputs, error.Tensor);
        Assert.Equal(3, error.TimeStep);
        Assert.Equal(2 * N * 3 + 3 + 2, error.Index);
        Assert.True(float.IsNaN(error.Value));
        Assert.Equal(1, error.TrainingStep);
        Assert.Equal("X_3[1, 2]", error.Location);
        Assert.Contains("NaN in Inputs at X_3[1, 2]", error.Message);
        Assert.Contains("not updated", error.Message);
        AssertBitIdentical(before, model.Parameters);

        // Without the guard the same step goes through and poisons the model: the guard is what protects it.
        workspace.TrainStep(inputs, T, N, targets, Last, new TrainingOptions(0.1f));
        Assert.Contains(model.Parameters.ToArray(), p => float.IsNaN(p));
    }

    [Fact]
    public void TheGuardNamesH0AndTargetsWithTheirStepAndCountsTrainingSteps()
    {
        var model = new RnnModel(Shape, 3UL);
        using var workspace = new RnnWorkspace(model);
        float[] inputs = Values(T * N * 3, 1), last = Values(N * 2, 2), all = Values(T * N * 2, 3), hidden = Values(N * 5, 4);
        workspace.TrainStep(inputs, T, N, last, Last, Guarded); // step 1 is clean
        float[] before = model.Parameters.ToArray();

        hidden[7] = float.PositiveInfinity;
        var error = Assert.Throws<NonFiniteValueException>(() => workspace.TrainStep(inputs, T, N, last, Last, Guarded, hidden));
        Assert.Equal((TrainingTensor.InitialHidden, (int?)null, 7, "H_0[1, 2]", 2L), (error.Tensor, error.TimeStep, error.Index, error.Location, error.TrainingStep));
        Assert.Contains("+∞", error.Message);

        last[3] = float.NegativeInfinity;
        error = Assert.Throws<NonFiniteValueException>(() => workspace.TrainStep(inputs, T, N, last, Last, Guarded));
        Assert.Equal((TrainingTensor.Targets, (int?)T, 3, "Y_4[1, 1]"), (error.Tensor, error.TimeStep, error.Index, error.Location));

        // Refused steps do not count: after one step that updated the model, every refusal is step 2.
        all[2 * N * 2 + 1] = float.NaN; // Y_3, row 0, column 1
        error = Assert.Throws<NonFiniteValueException>(() => workspace.TrainStep(inputs, T, N, all, All, Guarded));
        Assert.Equal((TrainingTensor.Targets, (int?)3, "Y_3[0, 1]", 2L), (error.Tensor, error.TimeStep, error.Location, error.TrainingStep));
        AssertBitIdentical(before, model.Parameters);
    }

    [Fact]
    public void TheGuardTellsABadParameterFromAnOverflowingOutputAndAnOverflowingLoss()
    {
        float[] inputs = Values(T * N * 3, 1), targets = new float[N * 2];

        // A NaN parameter: the loss is NaN, and the parameter is named.
        float[] parameters = Values(Shape.ParameterCount, 5);
        parameters[Shape.WhhOffset + 2 * 5 + 4] = float.NaN;
        AssertRefused(parameters, TrainingTensor.Parameters, null, "Whh[2, 4]");

        // Finite parameters whose outputs overflow: Who = 3e38 everywhere, so O = H·Who overflows at step T.
        parameters = Values(Shape.ParameterCount, 5);
        Shape.Who<float>(parameters).Fill(3e38f);
        AssertRefused(parameters, TrainingTensor.Outputs, T, "O_4[0, 0]");

        // Finite outputs (bo = 1e20, Who = 0) whose squared errors overflow: the loss itself.
        parameters = Values(Shape.ParameterCount, 5);
        Shape.Who<float>(parameters).Clear();
        Shape.Bo<float>(parameters).Fill(1e20f);
        AssertRefused(parameters, TrainingTensor.Loss, null, "L");

        void AssertRefused(float[] values, TrainingTensor tensor, int? step, string location)
        {
            var model = new RnnModel(Shape, values);
            using var workspace = new RnnWorkspace(model);
            var error = Assert.Throws<NonFiniteValueException>(() => workspace.TrainStep(inputs, T, N, targets, Last, Guarded));
            Assert.Equal((tensor, step), (error.Tensor, error.TimeStep));
            Assert.StartsWith(location, error.Location);
            AssertBitIdentical(values, model.Parameters);
        }
    }

    [Fact]
    public void TheGuardNamesAGradientThatOverflowsBehindAFiniteLoss()
    {
        // X = 0 and Wxh = Whh = bh = 0, so H = 0 and O = bo = 1: a finite loss, and dO = (2/4)·(1 − 0) = 0.5 in the
        // last step. With Who = 3e38, dH = dO·Whoᵀ = 2·0.5·3e38 = 3e38 (finite) and dA = dH ⊙ (1 − H²) = 3e38 in both
        // batch rows; dWxh = Xᵀ·dA = 0 and dWhh = Hᵀ·dA = 0, but dbh sums the two rows: 6e38 overflows to +∞.
        float[] parameters = new float[Shape.ParameterCount];
        Shape.Who<float>(parameters).Fill(3e38f);
        Shape.Bo<float>(parameters).Fill(1f);
        var model = new RnnModel(Shape, parameters);
        using var workspace = new RnnWorkspace(model);
        var error = Assert.Throws<NonFiniteValueException>(() => workspace.TrainStep(new float[T * N * 3], T, N, new float[N * 2], Last, Guarded));
        Assert.Equal((TrainingTensor.Gradients, Shape.BhOffset, float.PositiveInfinity), (error.Tensor, error.Index, error.Value));
        Assert.Equal("∂L/∂bh[0]", error.Location);
        AssertBitIdentical(parameters, model.Parameters);
    }

    [Theory]
    [MemberData(nameof(TestData.SupportedPaths), MemberType = typeof(TestData))]
    public void OptionsDoNotChangeTheBitsOfAFiniteStep(InstructionSet path)
    {
        float[] inputs = Values(T * N * 3, 1), targets = Values(T * N * 2, 2), hidden = Values(N * 5, 3);
        var plain = Model(path, 7UL);
        var guarded = Model(path, 7UL);
        var unclipped = Model(path, 7UL);
        using var plainWorkspace = new RnnWorkspace(plain);
        using var guardedWorkspace = new RnnWorkspace(guarded);
        using var unclippedWorkspace = new RnnWorkspace(unclipped);
        for (int step = 0; step < 5; step++)
        {
            float loss = plainWorkspace.TrainStep(inputs, T, N, targets, All, 0.1f, hidden);
            TrainingStepResult g = guardedWorkspace.TrainStep(inputs, T, N, targets, All, Guarded, hidden);
            // A maximum far above the norm: computed, never applied.
            TrainingStepResult u = unclippedWorkspace.TrainStep(inputs, T, N, targets, All, Guarded with { MaxGradientNorm = 1e30f }, hidden);
            Assert.Equal(loss, g.Loss);
            Assert.Equal(loss, u.Loss);
            Assert.Null(g.GradientNorm);
            Assert.False(g.GradientsClipped);
            Assert.NotNull(u.GradientNorm);
            Assert.False(u.GradientsClipped);
        }
        AssertBitIdentical(plain.Parameters.ToArray(), guarded.Parameters);
        AssertBitIdentical(plain.Parameters.ToArray(), unclipped.Parameters);
    }

    [Theory]
    [MemberData(nameof(TestData.SupportedPaths), MemberType = typeof(TestData))]
    public void ClippingIsComputeGradientsThenClipByGlobalNormThenDescent(InstructionSet path)
    {
        float[] inputs = Values(T * N * 3, 1), targets = Values(N * 2, 2);
        var model = Model(path, 11UL);
        var manual = Model(path, 11UL);
        using var workspace = new RnnWorkspace(model);
        using var manualWorkspace = new RnnWorkspace(manual);
        var gradients = new float[Shape.ParameterCount];
        const float MaxNorm = 0.05f;

        TrainingStepResult result = workspace.TrainStep(inputs, T, N, targets, Last, new TrainingOptions(0.5f) { MaxGradientNorm = MaxNorm });
        manualWorkspace.ComputeGradients(inputs, T, N, targets, Last, gradients);
        float[] unclipped = (float[])gradients.Clone();
        (double norm, bool clipped) = GradientClipping.ClipByGlobalNorm(gradients, MaxNorm, path);
        manual.ApplyGradientDescent(gradients, 0.5f);

        AssertBitIdentical(manual.Parameters.ToArray(), model.Parameters);
        Assert.Equal(norm, result.GradientNorm);
        Assert.True(clipped && result.GradientsClipped, "the norm exceeds 0.05 for these weights");

        // PyTorch's semantics, computed independently in double: N = ‖g‖₂, c = max/(N + 1e−6), g·c rounded once.
        double exactNorm = Math.Sqrt(unclipped.Sum(g => (double)g * g));
        Assert.Equal(exactNorm, norm, exactNorm * 1e-12);
        double factor = MaxNorm / (exactNorm + 1e-6);
        for (int i = 0; i < gradients.Length; i++)
        {
            // (float)c carries ½ ulp, the product another ½ ulp: within 1.5 ulp of the exact g·c (and of g·c_torch).
            double exact = unclipped[i] * factor;
            Assert.True(Math.Abs(gradients[i] - exact) <= 1.5 * Math.ScaleB(1, Math.ILogB(Math.Abs(exact)) - 23) + double.Epsilon,
                $"gradient {i}: {gradients[i]:R} vs {exact:R}");
        }
        double clippedNorm = Math.Sqrt(gradients.Sum(g => (double)g * g));
        Assert.InRange(clippedNorm, MaxNorm * (1 - 1e-5), MaxNorm);
    }

    [Fact]
    public void ClipByGlobalNormChecksItsMaximumAndLeavesSmallGradientsAlone()
    {
        float[] gradients = [3f, 4f];
        foreach (float bad in new[] { 0f, -1f, float.NaN, float.PositiveInfinity })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(gradients, bad));
            Assert.Equal("maxNorm", error.ParamName);
            Assert.Contains("finite and above 0", error.Message);
            Assert.Equal([3f, 4f], gradients); // refused before anything was scaled
        }
        Assert.Equal(5d, GradientClipping.ClipByGlobalNorm(gradients, 10f));
        Assert.Equal([3f, 4f], gradients); // c = 10/(5 + 1e−6) ≥ 1: untouched
        Assert.Equal(5d, GradientClipping.ClipByGlobalNorm(gradients, 1f));
        float factor = (float)(1 / (5 + 1e-6)); // rounded once to float, then one rounded product per gradient
        Assert.Equal([(float)(3.0 * factor), (float)(4.0 * factor)], gradients);
    }

    [Fact]
    public void ClippingContainsAnExplodingSetupThatDivergesWithoutIt()
    {
        // A recurrent matrix with large weights over 40 steps and a large learning rate: the classic explosion.
        var shape = new RnnShape(2, 16, 2);
        float[] parameters = ParameterInitialization.CreateUniform(shape, 5UL).Select(v => v * 12).ToArray();
        const int Steps = 40, Batch = 4;
        float[] inputs = Values(Steps * Batch * 2, 8).Select(v => v * 3).ToArray(), targets = Values(Batch * 2, 9).Select(v => v * 1e3f).ToArray();
        const float Rate = 50f;

        bool Diverges(TrainingOptions options)
        {
            var model = new RnnModel(shape, parameters);
            using var workspace = new RnnWorkspace(model);
            for (int step = 0; step < 200; step++)
            {
                float loss = workspace.TrainStep(inputs, Steps, Batch, targets, Last, options).Loss;
                if (!float.IsFinite(loss) || model.Parameters.ToArray().Any(p => !float.IsFinite(p))) return true;
            }
            return false;
        }

        Assert.True(Diverges(new TrainingOptions(Rate)), "the setup must explode without clipping, or this test proves nothing");
        Assert.False(Diverges(new TrainingOptions(Rate) { MaxGradientNorm = 1f }));
    }

    [Fact]
    public void OptionsAreCheckedWhenMadeAndTheStepNeedsThem()
    {
        foreach (float rate in new[] { -1f, float.NaN, float.NegativeInfinity })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions(rate));
            Assert.Equal("learningRate", error.ParamName);
            Assert.Contains("finite and at least 0", error.Message);
        }
        foreach (float norm in new[] { 0f, -2f, float.NaN, float.PositiveInfinity })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions(0.1f) { MaxGradientNorm = norm });
            Assert.Equal(nameof(TrainingOptions.MaxGradientNorm), error.ParamName);
            Assert.Contains("above 0", error.Message);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => Guarded with { LearningRate = -3f });

        var model = new RnnModel(Shape, 3UL);
        float[] before = model.Parameters.ToArray();
        using var workspace = new RnnWorkspace(model);
        var nullError = Assert.Throws<ArgumentNullException>(() => workspace.TrainStep(Values(T * N * 3, 1), T, N, Values(N * 2, 2), Last, (TrainingOptions)null!));
        Assert.Equal("options", nullError.ParamName);
        var lengthError = Assert.Throws<ArgumentException>(() => workspace.TrainStep(Values(5, 1), T, N, Values(N * 2, 2), Last, Guarded));
        Assert.Equal("inputs", lengthError.ParamName);
        AssertBitIdentical(before, model.Parameters);
    }

    [Theory]
    [MemberData(nameof(TestData.SupportedPaths), MemberType = typeof(TestData))]
    public void AGuardedClippedStepAllocatesNothingAfterWarmUp(InstructionSet path)
    {
        using var workspace = new RnnWorkspace(Model(path, 3UL));
        float[] inputs = Values(T * N * 3, 1), targets = Values(N * 2, 2);
        TrainingOptions options = Guarded with { MaxGradientNorm = 1e-3f };
        workspace.TrainStep(inputs, T, N, targets, Last, options);
        AllocationAssert.AllocatesNothing(() => workspace.TrainStep(inputs, T, N, targets, Last, options), "a guarded, clipped training step");
    }

    private static RnnModel Model(InstructionSet path, ulong seed) =>
        new(Shape, ParameterInitialization.CreateUniform(Shape, seed), path);

    /// <summary>Seeded values in [−1, 1).</summary>
    private static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    private static void AssertBitIdentical(float[] expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"element {i}: {expected[i]:R} vs {actual[i]:R}");
        }
    }
}
