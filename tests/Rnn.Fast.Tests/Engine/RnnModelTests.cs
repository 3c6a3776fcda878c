using Rnn.Fast.Kernels;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Engine;

/// <summary>The model's parameters, its constructors, and its weight packs following every update.</summary>
public sealed class RnnModelTests
{
    // h = 70 and d = 67 span two 64-column panels, so a stale tail panel would show.
    private static readonly RnnShape Shape = new(67, 70, 9);
    private const int T = 3, N = 2;

    [Fact]
    public void ASeededModelHoldsTheInitializersParametersAndAGivenOneACopy()
    {
        Assert.Equal(ParameterInitialization.CreateUniform(Shape, 42), new RnnModel(Shape, 42UL).Parameters.ToArray());

        float[] given = ParameterInitialization.CreateUniform(Shape, 5);
        var model = new RnnModel(Shape, given);
        given[0] = 99;
        Assert.NotEqual(99, model.Parameters[0]);
        var copy = new float[Shape.ParameterCount];
        model.CopyParametersTo(copy);
        Assert.Equal(model.Parameters.ToArray(), copy);
        Assert.Equal(KernelDispatch.Active, model.InstructionSet);
    }

    [Fact]
    public void AfterSetParametersEveryEntryPointEqualsAFreshModelBitForBit()
    {
        var model = new RnnModel(Shape, 1UL);
        float[] replacement = ParameterInitialization.CreateUniform(Shape, 2);
        Run(model); // use the old packs once, so stale packs would have something to be stale with

        model.SetParameters(replacement);

        AssertSameResults(new RnnModel(Shape, replacement), model, "after SetParameters");
    }

    [Fact]
    public void AfterGradientDescentEveryEntryPointEqualsAFreshModelBitForBit()
    {
        var model = new RnnModel(Shape, 1UL);
        float[] gradients = ParameterInitialization.CreateUniform(Shape, 3);
        float[] expected = model.Parameters.ToArray();
        for (int i = 0; i < expected.Length; i++) expected[i] = MathF.FusedMultiplyAdd(gradients[i], -0.25f, expected[i]);
        Run(model);

        model.ApplyGradientDescent(gradients, 0.25f);

        FloatAssert.BitIdentical(expected, model.Parameters, "p − lr·g as one fma per parameter");
        AssertSameResults(new RnnModel(Shape, expected), model, "after ApplyGradientDescent");
    }

    [Fact]
    public void TrainStepAppliesExactlyTheGradientsComputeGradientsReturns()
    {
        var trained = new RnnModel(Shape, 1UL);
        var reference = new RnnModel(Shape, 1UL);
        float[] inputs = Values(T * N * Shape.InputSize, 4), targets = Values(N * Shape.OutputSize, 5);
        var gradients = new float[Shape.ParameterCount];
        using var trainer = new RnnWorkspace(trained);
        using var calculator = new RnnWorkspace(reference);

        float trainLoss = trainer.TrainStep(inputs, T, N, targets, LossKind.LastOutputMeanSquaredError, 0.05f);
        float computedLoss = calculator.ComputeGradients(inputs, T, N, targets, LossKind.LastOutputMeanSquaredError, gradients);
        reference.ApplyGradientDescent(gradients, 0.05f);

        FloatAssert.BitIdentical(computedLoss, trainLoss, "loss");
        FloatAssert.BitIdentical(reference.Parameters, trained.Parameters, "parameters after one step");
        Assert.NotEqual(ParameterInitialization.CreateUniform(Shape, 1), trained.Parameters.ToArray());
    }

    [Fact]
    public void ASessionSeesAnUpdateAtItsNextStep()
    {
        var model = new RnnModel(Shape, 1UL);
        var session = new RnnStreamingSession(model);
        float[] input = Values(Shape.InputSize, 6);
        var output = new float[Shape.OutputSize];
        session.Step(input, output);
        float[] state = new float[Shape.HiddenSize];
        session.CopyHiddenStateTo(state);

        float[] replacement = ParameterInitialization.CreateUniform(Shape, 9);
        model.SetParameters(replacement);
        session.Step(input, output);

        var fresh = new RnnStreamingSession(new RnnModel(Shape, replacement));
        fresh.SetHiddenState(state);
        var expected = new float[Shape.OutputSize];
        fresh.Step(input, expected);
        FloatAssert.BitIdentical(expected, output, "step after SetParameters");
    }

    [Fact]
    public void ThreadsRunningOneModelTogetherGetTheBitsOfARunAlone()
    {
        // The documented contract: concurrent inference and gradients on one model, each thread with its own
        // workspace and session, as long as nobody changes the parameters meanwhile.
        var model = new RnnModel(Shape, 4UL);
        float[][] alone = Run(model);
        var results = new float[4][][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            float[][] last = [];
            for (int repeat = 0; repeat < 20; repeat++) last = Run(model);
            results[i] = last;
        });

        foreach (float[][] result in results)
        {
            for (int i = 0; i < alone.Length; i++) FloatAssert.BitIdentical(alone[i], result[i], $"concurrent run, result {i}");
        }
    }

    private static void AssertSameResults(RnnModel expected, RnnModel actual, string context)
    {
        float[][] a = Run(expected), b = Run(actual);
        for (int i = 0; i < a.Length; i++) FloatAssert.BitIdentical(a[i], b[i], $"{context}, result {i}");
    }

    /// <summary>Every-step outputs, all gradients of Backward, and one streamed step: each reads a different pack.</summary>
    private static float[][] Run(RnnModel model)
    {
        float[] inputs = Values(T * N * Shape.InputSize, 1), outputGradients = Values(T * N * Shape.OutputSize, 2);
        using var workspace = new RnnWorkspace(model);
        var outputs = new float[T * N * Shape.OutputSize];
        workspace.Forward(inputs, T, N, OutputSteps.EveryStep, outputs);
        var gradients = new float[Shape.ParameterCount];
        var dH0 = new float[N * Shape.HiddenSize];
        var dX = new float[inputs.Length];
        workspace.Backward(outputGradients, gradients, dH0, dX);
        var streamed = new float[N * Shape.OutputSize];
        new RnnStreamingSession(model, N).Step(inputs.AsSpan(0, N * Shape.InputSize), streamed);
        return [outputs, gradients, dH0, dX, streamed];
    }

    private static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
