using FsCheck;
using FsCheck.Fluent;
using Rnn.Fast.Kernels;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Engine;

/// <summary>
/// A workspace's products split across threads keep every bit: each output element is one chain computed by one
/// thread, whatever the degree or the split (by panels, or by rows when a product has fewer panels than parts). The
/// tests lower the work a product needs before it is split to 0, so that every product of these small shapes is split,
/// and run three ways on this two-core machine as well as two (the degree is not lowered to the processor count here).
/// </summary>
public sealed class ParallelWorkspaceTests
{
    /// <summary>
    /// Forward outputs, every H_t, the gradients of Backward with dH_0 and dX, ComputeGradients, and the parameters
    /// after two training steps, at degrees 2 and 3 against 1, on every path. 60 cases: each runs everything three times
    /// per path with every product handed to the workers, a few milliseconds each.
    /// </summary>
    [Fact]
    public void EveryDegreeOfParallelismGivesTheBitsOfOneThread() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), Prop.ForAll(EngineCase.Arbitrary, (EngineCase c) =>
        {
            foreach (InstructionSet path in KernelDispatch.Supported) AssertDegreesAgree(c, path, expectSplit: false);
        }));

    /// <summary>
    /// Shapes past the random draw: Whh of three panels (130 = 64 + 64 + 2), so two parts take 2 + 1 panels and three
    /// parts one each; one panel (h = 16) over 26 rows, split by rows into whole 6-row tiles; and 200 columns (3 full
    /// panels and an 8-column remainder) under a batch of 24.
    /// </summary>
    [Theory]
    [InlineData(16, 20, 130, 70, 6)]
    [InlineData(26, 9, 16, 3, 5)]
    [InlineData(24, 33, 200, 10, 4)]
    public void LargerShapesSplitByPanelsAndByRowsKeepEveryBit(int n, int d, int h, int o, int T)
    {
        var c = new EngineCase(n, d, h, o, T, GivenInitialHidden: true, Seed: n * 1000 + h);
        foreach (InstructionSet path in KernelDispatch.Supported) AssertDegreesAgree(c, path, expectSplit: true);
    }

    [Fact]
    public void ADegreeAboveTheProcessorCountIsLoweredToItAndOneIsTheDefault()
    {
        var model = new RnnModel(new RnnShape(3, 5, 2), 1UL);
        using var byDefault = new RnnWorkspace(model);
        using var single = new RnnWorkspace(model, new RnnWorkspaceOptions());
        using var many = new RnnWorkspace(model, new RnnWorkspaceOptions { DegreeOfParallelism = Environment.ProcessorCount + 5 });
        Assert.Equal(1, byDefault.DegreeOfParallelism);
        Assert.Equal(1, single.DegreeOfParallelism);
        Assert.Equal(Environment.ProcessorCount, many.DegreeOfParallelism);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RnnWorkspaceOptions { DegreeOfParallelism = 0 });
        Assert.Equal("DegreeOfParallelism", error.ParamName);
        Assert.Throws<ArgumentNullException>(() => new RnnWorkspace(model, null!));
    }

    /// <summary>
    /// A parallel call allocates nothing once the workers run: the regions' arguments live on the caller's stack and the
    /// workers are the pool's. Measured right after a warm-up call, well inside the workers' two idle seconds.
    /// </summary>
    [Theory]
    [MemberData(nameof(Support.TestData.SupportedPaths), MemberType = typeof(Support.TestData))]
    public void AParallelTrainingStepAndForwardPassAllocateNothingAfterWarmUp(InstructionSet path)
    {
        var shape = new RnnShape(9, 70, 4);
        var model = new RnnModel(shape, ParameterInitialization.CreateUniform(shape, 3), path);
        using var workspace = new RnnWorkspace(model, 2, clampToProcessors: false) { ParallelMinimumWork = 0 };
        const int T = 5, n = 13;
        float[] inputs = new float[T * n * 9], targets = new float[n * 4], outputs = new float[T * n * 4];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (i % 11 - 5) / 7f;
        for (int round = 0; round < 2; round++)
        {
            workspace.TrainStep(inputs, T, n, targets, LossKind.LastOutputMeanSquaredError, 0.01f);
            workspace.Forward(inputs, T, n, OutputSteps.EveryStep, outputs);
        }

        AllocationAssert.AllocatesNothing(() =>
        {
            workspace.TrainStep(inputs, T, n, targets, LossKind.LastOutputMeanSquaredError, 0.01f);
            workspace.Forward(inputs, T, n, OutputSteps.EveryStep, outputs);
        }, $"{path}: a parallel training step and forward pass");
    }

    /// <summary>
    /// The workers run products inside the call that owns the workspace and are never checked against it: a parallel call
    /// completes, and a second thread entering the workspace meanwhile is still refused at the entry.
    /// </summary>
    [Fact]
    public void TheWorkersDoNotTripTheOneThreadAtATimeCheckAndOtherCallersStillDo()
    {
        var shape = new RnnShape(4, 40, 3);
        var model = new RnnModel(shape, 5UL);
        using var workspace = new RnnWorkspace(model, 3, clampToProcessors: false) { ParallelMinimumWork = 0 };
        const int T = 3, n = 14;
        float[] inputs = new float[T * n * 4], outputs = new float[n * 3];
        Exception? second = null;
        workspace.Use.EnteredForTest = () =>
        {
            workspace.Use.EnteredForTest = null;
            var thread = new Thread(() => second = Record.Exception(() => workspace.Forward(inputs, T, n, OutputSteps.LastStep, outputs)));
            thread.Start();
            thread.Join();
        };

        workspace.TrainStep(inputs, T, n, new float[n * 3], LossKind.LastOutputMeanSquaredError, 0.01f);
        Assert.IsType<InvalidOperationException>(second);
        workspace.Forward(inputs, T, n, OutputSteps.LastStep, outputs);
    }

    /// <summary>
    /// Degrees 2 and 3 give the bits of degree 1. With <paramref name="expectSplit"/>, some product must have been handed
    /// to the workers (a product of one panel and fewer than 12 rows is not split: the random shapes often have none).
    /// </summary>
    private static void AssertDegreesAgree(EngineCase c, InstructionSet path, bool expectSplit)
    {
        float[][] one = Everything(c, path, 1);
        foreach (int degree in new[] { 2, 3 })
        {
            // Only this class uses the shared pool, and its tests run one at a time: each run hands regions to the workers.
            int regions = WorkerPool.Shared.RegionCount;
            float[][] other = Everything(c, path, degree);
            Assert.True(!expectSplit || WorkerPool.Shared.RegionCount > regions, $"{path}, {degree} threads: no product of {c} was split");
            for (int i = 0; i < one.Length; i++)
            {
                FloatAssert.BitIdentical(one[i], other[i], $"{path}, {degree} threads vs 1, result {i} ({ResultNames[i]}) of {c}");
            }
        }
    }

    private static readonly string[] ResultNames = ["outputs", "H_0..H_T", "parameter gradients", "dH_0", "dX", "ComputeGradients", "parameters after training"];

    private static float[][] Everything(EngineCase c, InstructionSet path, int degree)
    {
        float[] inputs = c.Inputs(), initialHidden = c.InitialHidden();
        int n = c.BatchSize, T = c.SequenceLength, h = c.HiddenSize;
        LossKind loss = c.Loss;
        OutputSteps steps = EngineAgainstReferenceProperties.StepsOf(loss);
        RnnModel model = c.Model(path);
        using var workspace = new RnnWorkspace(model, degree, clampToProcessors: false) { ParallelMinimumWork = 0 };

        var outputs = new float[c.OutputCount(loss)];
        workspace.Forward(inputs, T, n, initialHidden, steps, outputs);
        var hidden = new float[(T + 1) * n * h];
        for (int t = 0; t <= T; t++) workspace.CopyHiddenState(t, hidden.AsSpan(t * n * h, n * h));
        var gradients = new float[c.Shape.ParameterCount];
        var dH0 = new float[n * h];
        var dX = new float[inputs.Length];
        workspace.Backward(c.OutputGradients(loss), gradients, dH0, dX);

        float[] targets = c.Targets(loss);
        var lossGradients = new float[c.Shape.ParameterCount];
        workspace.ComputeGradients(inputs, T, n, targets, loss, lossGradients, initialHidden);
        for (int step = 0; step < 2; step++) workspace.TrainStep(inputs, T, n, targets, loss, 0.1f, initialHidden);
        return [outputs, hidden, gradients, dH0, dX, lossGradients, model.Parameters.ToArray()];
    }
}
