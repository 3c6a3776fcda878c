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

    // h = 128 pairs two full panels in place; h = 130 pairs the last full panel with the remainder and runs the first
    // alone; h = 192 pairs the first two and runs the third alone. 9 rows are past the rows read in place.
    [Theory]
    [MemberData(nameof(TestData.SupportedPaths), MemberType = typeof(TestData))]
    public void ShortTrainingStepsReadAStalePackInPlaceWithThePackedBits(InstructionSet path)
    {
        foreach ((int d, int h, int o) in new[] { (32, 128, 32), (40, 130, 8), (17, 192, 16) })
        {
            var shape = new RnnShape(d, h, o);
            foreach ((int t, int n) in new[] { (1, 1), (2, 3), (8, 1), (3, 3) })
            {
                float[] initial = ParameterInitialization.CreateUniform(shape, 7);
                var inPlace = new RnnModel(shape, initial, path);
                var packed = new RnnModel(shape, initial, path);
                using var inPlaceTrainer = new RnnWorkspace(inPlace);
                using var packedTrainer = new RnnWorkspace(packed);
                float[] inputs = Values(t * n * d, 8), targets = Values(n * o, 9), outputs = new float[n * o];
                string context = $"{path}, d={d} h={h} o={o}, T={t} n={n}";
                for (int step = 0; step < 3; step++)
                {
                    float a = inPlaceTrainer.TrainStep(inputs, t, n, targets, LossKind.LastOutputMeanSquaredError, 0.1f);
                    float b = packedTrainer.TrainStep(inputs, t, n, targets, LossKind.LastOutputMeanSquaredError, 0.1f);
                    FloatAssert.BitIdentical(b, a, $"{context}, loss of step {step}");
                    // An inference pass repacks, so the next step of this model reads a current pack.
                    packedTrainer.Forward(inputs, t, n, OutputSteps.LastStep, outputs);
                    Assert.True(packed.StackedPackIsCurrent, context);
                }

                FloatAssert.BitIdentical(packed.Parameters, inPlace.Parameters, $"{context}, parameters after 3 steps");
                // Gradients alone, after the last update: a short pass leaves the pack stale, a longer one repacks.
                float[] inPlaceGradients = new float[shape.ParameterCount], packedGradients = new float[shape.ParameterCount];
                inPlaceTrainer.ComputeGradients(inputs, t, n, targets, LossKind.LastOutputMeanSquaredError, inPlaceGradients);
                packedTrainer.ComputeGradients(inputs, t, n, targets, LossKind.LastOutputMeanSquaredError, packedGradients);
                FloatAssert.BitIdentical(packedGradients, inPlaceGradients, $"{context}, gradients");
                Assert.Equal(t * n > RnnModel.InPlaceGradientRows, inPlace.StackedPackIsCurrent);
            }
        }
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
