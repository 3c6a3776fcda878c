using Rnn.Fast.Kernels;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Engine;

/// <summary>
/// After warm-up, every hot entry point allocates 0 bytes per call, for any (T, n) up to the largest seen — on every
/// instruction-set path. Each test warms up once with the largest batch, then measures the very next calls — the
/// same size, then smaller ones — with <see cref="GC.GetAllocatedBytesForCurrentThread"/>.
/// </summary>
public sealed class EngineAllocationTests
{
    // Off the vector widths on purpose (d = 7, h = 37, o = 3): edge tiles use stack buffers, never the heap.
    private static readonly RnnShape Shape = new(7, 37, 3);
    private const int LargeT = 9, LargeN = 5, SmallT = 4, SmallN = 2;

    [Theory]
    [MemberData(nameof(TestData.SupportedPaths), MemberType = typeof(TestData))]
    public void ForwardAllocatesNothingAfterWarmUp(InstructionSet path)
    {
        using var workspace = new RnnWorkspace(Model(path));
        float[] largeInputs = new float[LargeT * LargeN * 7], largeOutputs = new float[LargeT * LargeN * 3];
        float[] smallInputs = new float[SmallT * SmallN * 7], smallOutputs = new float[SmallN * 3], smallHidden = new float[SmallN * 37];
        workspace.Forward(largeInputs, LargeT, LargeN, OutputSteps.EveryStep, largeOutputs);

        AssertNoAllocation(() => workspace.Forward(largeInputs, LargeT, LargeN, OutputSteps.EveryStep, largeOutputs), "Forward, same size");
        AssertNoAllocation(() => workspace.Forward(smallInputs, SmallT, SmallN, smallHidden, OutputSteps.LastStep, smallOutputs), "Forward, smaller, given H_0");
        AssertNoAllocation(() => workspace.CopyHiddenState(SmallT, smallHidden), "CopyHiddenState");
    }

    [Theory]
    [MemberData(nameof(TestData.SupportedPaths), MemberType = typeof(TestData))]
    public void BackwardAllocatesNothingAfterWarmUp(InstructionSet path)
    {
        RnnModel model = Model(path);
        using var workspace = new RnnWorkspace(model);
        float[] largeInputs = new float[LargeT * LargeN * 7], largeOutputs = new float[LargeT * LargeN * 3];
        float[] smallInputs = new float[SmallT * SmallN * 7], smallOutputs = new float[SmallN * 3];
        float[] gradients = new float[Shape.ParameterCount], largeInputGradients = new float[largeInputs.Length];
        float[] smallInputGradients = new float[smallInputs.Length], smallInitialGradients = new float[SmallN * 37];
        workspace.Forward(largeInputs, LargeT, LargeN, OutputSteps.EveryStep, largeOutputs);
        workspace.Backward(largeOutputs, gradients, new float[LargeN * 37], largeInputGradients);

        workspace.Forward(largeInputs, LargeT, LargeN, OutputSteps.EveryStep, largeOutputs);
        AssertNoAllocation(() => workspace.Backward(largeOutputs, gradients, default, largeInputGradients), "Backward, same size");
        workspace.Forward(smallInputs, SmallT, SmallN, OutputSteps.LastStep, smallOutputs);
        AssertNoAllocation(() => workspace.Backward(smallOutputs, gradients, smallInitialGradients, smallInputGradients), "Backward, smaller");
    }

    [Theory]
    [MemberData(nameof(TestData.SupportedPaths), MemberType = typeof(TestData))]
    public void TrainingAllocatesNothingAfterWarmUp(InstructionSet path)
    {
        RnnModel model = Model(path);
        using var workspace = new RnnWorkspace(model);
        float[] largeInputs = Filled(LargeT * LargeN * 7), largeTargets = Filled(LargeT * LargeN * 3);
        float[] smallInputs = Filled(SmallT * SmallN * 7), smallTargets = Filled(SmallN * 3), gradients = new float[Shape.ParameterCount];
        workspace.TrainStep(largeInputs, LargeT, LargeN, largeTargets, LossKind.AllOutputsMeanSquaredError, 0.01f);

        AssertNoAllocation(() => workspace.TrainStep(largeInputs, LargeT, LargeN, largeTargets, LossKind.AllOutputsMeanSquaredError, 0.01f), "TrainStep, same size");
        AssertNoAllocation(() => workspace.TrainStep(smallInputs, SmallT, SmallN, smallTargets, LossKind.LastOutputMeanSquaredError, 0.01f), "TrainStep, smaller");
        AssertNoAllocation(() => workspace.ComputeGradients(smallInputs, SmallT, SmallN, smallTargets, LossKind.LastOutputMeanSquaredError, gradients), "ComputeGradients");
        AssertNoAllocation(() => model.ApplyGradientDescent(gradients, 0.01f), "ApplyGradientDescent");
        AssertNoAllocation(() => model.SetParameters(gradients), "SetParameters");
    }

    [Theory]
    [MemberData(nameof(TestData.SupportedPaths), MemberType = typeof(TestData))]
    public void StreamingAllocatesNothingAfterConstruction(InstructionSet path)
    {
        foreach (int n in new[] { 1, 3 })
        {
            var session = new RnnStreamingSession(Model(path), n);
            float[] input = Filled(n * 7), output = new float[n * 3], state = new float[n * 37];
            session.Step(input, output);

            AssertNoAllocation(() => session.Step(input, output), $"Step, n = {n}");
            AssertNoAllocation(() => session.CopyHiddenStateTo(state), "CopyHiddenStateTo");
            AssertNoAllocation(() => session.SetHiddenState(state), "SetHiddenState");
            AssertNoAllocation(session.Reset, "Reset");
        }
    }

    private static RnnModel Model(InstructionSet path) => new(Shape, ParameterInitialization.CreateUniform(Shape, 7), path);

    private static float[] Filled(int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (i % 7 - 3) / 5f;
        return values;
    }

    private static void AssertNoAllocation(Action call, string what)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        call();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"{what} allocated {allocated} bytes after warm-up.");
    }
}
