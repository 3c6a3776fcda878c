using FsCheck.Xunit;
using Rnn.Fast.Kernels;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Engine;

/// <summary>
/// The non-finite guard covers the update itself: a finite learning rate too large for finite gradients is refused
/// before anything is written, naming the parameter, and the model stays bit-identical. A refused step does not count
/// as a step, and leaves the workspace as its documentation says.
/// </summary>
public sealed class UpdateGuardTests
{
    private static readonly RnnShape Shape = new(3, 5, 2); // 57 parameters
    private const int T = 4, N = 2;
    private const LossKind Last = LossKind.LastOutputMeanSquaredError;

    [Theory]
    [MemberData(nameof(TestData.SupportedPaths), MemberType = typeof(TestData))]
    public void AHugeFiniteLearningRateWithFiniteGradientsIsRefusedAndTheModelStaysBitIdentical(InstructionSet path)
    {
        // Targets of order 1e9 make the gradients of order 1e9 (finite, as is the loss, of order 1e18), so that
        // learning rates from 1e30 up overflow p − rate·g in some parameters and not in others.
        float[] inputs = Values(T * N * 3, 1), targets = Values(N * 2, 2).Select(y => 1e9f * y).ToArray();
        foreach (float rate in new[] { 1e30f, 1e36f, float.MaxValue })
        {
            var model = new RnnModel(Shape, ParameterInitialization.CreateUniform(Shape, 3), path);
            using var workspace = new RnnWorkspace(model);
            float[] before = model.Parameters.ToArray();

            // The gradients and the loss are finite: only the update p − rate·g overflows.
            var gradients = new float[Shape.ParameterCount];
            Assert.True(float.IsFinite(workspace.ComputeGradients(inputs, T, N, targets, Last, gradients)));
            Assert.All(gradients, g => Assert.True(float.IsFinite(g)));

            var guarded = new TrainingOptions(rate) { GuardNonFinite = true };
            var error = Assert.Throws<NonFiniteValueException>(() => workspace.TrainStep(inputs, T, N, targets, Last, guarded));
            Assert.Equal(TrainingTensor.UpdatedParameters, error.Tensor);
            Assert.Null(error.TimeStep);
            Assert.True(float.IsInfinity(error.Value));
            // The first parameter whose update overflows, as the update computes it: fma(g, −rate, p) (First throws if none does).
            int expected = Enumerable.Range(0, before.Length).First(i => !float.IsFinite(MathF.FusedMultiplyAdd(gradients[i], -rate, before[i])));
            Assert.Equal(expected, error.Index);
            Assert.Equal(ParameterName(expected), error.Location);
            Assert.Contains($"in UpdatedParameters at {ParameterName(expected)} (index {expected}); the parameters were not updated", error.Message);
            FloatAssert.BitIdentical(before, model.Parameters, $"the model after a refused update at rate {rate}");

            // Without the guard, the same step writes infinities into the model: the guard is what protects it.
            workspace.TrainStep(inputs, T, N, targets, Last, new TrainingOptions(rate));
            Assert.Contains(model.Parameters.ToArray(), p => float.IsInfinity(p));
        }
    }

    [Fact]
    public void ARefusedStepDoesNotCountAndLeavesItsForwardPassAtTheUnchangedParameters()
    {
        var model = new RnnModel(Shape, 3UL);
        using var workspace = new RnnWorkspace(model);
        float[] inputs = Values(T * N * 3, 1), targets = Values(N * 2, 2).Select(y => 1e9f * y).ToArray(); // gradients of order 1e9
        workspace.TrainStep(inputs, T, N, targets, Last, new TrainingOptions(1e-20f) { GuardNonFinite = true }); // step 1

        var huge = new TrainingOptions(1e35f) { GuardNonFinite = true };
        for (int attempt = 0; attempt < 3; attempt++)
        {
            var error = Assert.Throws<NonFiniteValueException>(() => workspace.TrainStep(inputs, T, N, targets, Last, huge));
            Assert.Equal(2L, error.TrainingStep); // the same number every time: refusals do not count
        }

        // The refused step's forward pass is in the workspace, at the parameters it left unchanged: Backward accepts it
        // and gives the gradients ComputeGradients gives, and H_T is that of a forward pass.
        var viaBackward = new float[Shape.ParameterCount];
        var outputs = new float[N * 2];
        var state = new float[N * 5];
        workspace.CopyHiddenState(T, state);
        using var fresh = new RnnWorkspace(model);
        fresh.Forward(inputs, T, N, OutputSteps.LastStep, outputs);
        var expectedState = new float[N * 5];
        fresh.CopyHiddenState(T, expectedState);
        FloatAssert.BitIdentical(expectedState, state, "H_T after a refused step");
        var dO = new float[N * 2];
        for (int i = 0; i < dO.Length; i++) dO[i] = 2f / dO.Length * (outputs[i] - targets[i]);
        workspace.Backward(dO, viaBackward, default, default);
        var viaCompute = new float[Shape.ParameterCount];
        fresh.ComputeGradients(inputs, T, N, targets, Last, viaCompute);
        FloatAssert.BitIdentical(viaCompute, viaBackward, "gradients from the refused step's forward pass");

        workspace.TrainStep(inputs, T, N, targets, Last, new TrainingOptions(1e-20f) { GuardNonFinite = true }); // step 2 goes through
        var next = Assert.Throws<NonFiniteValueException>(() => workspace.TrainStep(inputs, T, N, targets, Last, huge));
        Assert.Equal(3L, next.TrainingStep);
    }

    [Fact]
    public void ARefusalOfTheArgumentsLeavesTheWorkspaceAsItWas()
    {
        var model = new RnnModel(Shape, 3UL);
        using var workspace = new RnnWorkspace(model);
        float[] inputs = Values(T * N * 3, 1);
        workspace.Forward(inputs, T, N, OutputSteps.LastStep, new float[N * 2]);
        var state = new float[N * 5];
        workspace.CopyHiddenState(T, state);
        int passes = workspace.ForwardPassCount;

        float[] bad = Values(2 * 1 * 3, 4);
        bad[1] = float.NaN;
        Assert.Throws<NonFiniteValueException>(() => workspace.TrainStep(bad, 2, 1, Values(2, 5), Last, new TrainingOptions(0.1f) { GuardNonFinite = true }));

        Assert.Equal(passes, workspace.ForwardPassCount);
        var after = new float[N * 5];
        workspace.CopyHiddenState(T, after); // the earlier pass (T = 4, n = 2) is still there
        FloatAssert.BitIdentical(state, after, "H_T of the earlier forward pass");
    }

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(TestData.Arbitraries) })]
    public void TheUpdateCheckFindsTheFirstNonFiniteResultOnEveryPathAndWritesNothing(SpanLength length, int seed)
    {
        // 200 cases × ≤ 300 elements × ≤ 4 paths: milliseconds.
        var random = new Random(seed);
        int n = length.Value;
        float[] gradients = TestData.Uniform(random, n, 1f), parameters = TestData.Uniform(random, n, 1f);
        for (int k = random.Next(3); k > 0; k--) gradients[random.Next(n)] = 1e30f * (random.Next(2) * 2 - 1);
        if (random.Next(4) == 0) parameters[random.Next(n)] = float.NaN;
        float rate = random.Next(2) == 0 ? 1e10f : 0.1f;
        float[] g = (float[])gradients.Clone(), p = (float[])parameters.Clone();
        int expected = Enumerable.Range(0, n).Select(i => (int?)i).FirstOrDefault(i => !float.IsFinite(MathF.FusedMultiplyAdd(g[i!.Value], -rate, p[i.Value]))) ?? -1;
        var update = new GradientDescentUpdate(rate);
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            Assert.Equal(expected, update.IndexOfFirstNonFiniteResult(parameters, gradients, path));
        }

        FloatAssert.BitIdentical(p, parameters, "parameters");
        FloatAssert.BitIdentical(g, gradients, "gradients");
    }

    private static string ParameterName(int index)
    {
        int h = Shape.HiddenSize, o = Shape.OutputSize;
        if (index < Shape.WhhOffset) return $"Wxh[{index / h}, {index % h}]";
        if (index < Shape.BhOffset) return $"Whh[{(index - Shape.WhhOffset) / h}, {(index - Shape.WhhOffset) % h}]";
        if (index < Shape.WhoOffset) return $"bh[{index - Shape.BhOffset}]";
        if (index < Shape.BoOffset) return $"Who[{(index - Shape.WhoOffset) / o}, {(index - Shape.WhoOffset) % o}]";
        return $"bo[{index - Shape.BoOffset}]";
    }

    private static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }
}
