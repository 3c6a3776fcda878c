using FsCheck;
using FsCheck.Fluent;
using Rnn.Fast.Kernels;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Engine;

/// <summary>
/// The reproducibility contract carried up from the kernels to the engine, bit for bit: streaming Step by Step
/// equals the whole-sequence forward pass; a sequence run alone equals the same sequence inside a batch; and every
/// instruction-set path equals every other. It holds because every value is one chain of fused multiply-adds in a
/// fixed order (bias first) that the kernels evaluate identically on every path and at every row position.
/// </summary>
/// <remarks>Case count: 200 random problems per law; with no reference to run, the three laws take about a second each.</remarks>
public sealed class EngineBitIdentityProperties
{
    private static readonly Config Cases = Config.QuickThrowOnFailure.WithMaxTest(200);

    [Fact]
    public void StreamingStepByStepEqualsTheWholeSequenceForwardOnEveryPath() =>
        Check.One(Cases, Prop.ForAll(EngineCase.Arbitrary, (EngineCase c) => AssertStepByStepEqualsForward(c)));

    [Fact]
    public void ASequenceAloneGivesTheSameBitsAsInsideABatch() =>
        Check.One(Cases, Prop.ForAll(EngineCase.Arbitrary, (EngineCase c) => AssertAloneEqualsBatch(c)));

    /// <summary>
    /// Both laws at batch 1 with Whh wider than one panel (h = 70: 64 + 6 columns; h = 130: 64 + 64 + 2), where the
    /// forward and backward recurrences run Whh's panels in opposite orders on alternate steps and the streaming Step
    /// always runs them first to last. The random cases reach h &gt; 64 at batch 1 in about 1 of 75. The sequence alone
    /// (batch 1, the matrix-vector path) is compared with the same sequence in a batch of 3 (register tiles).
    /// </summary>
    [Theory]
    [InlineData(70, 4, true)]
    [InlineData(130, 5, false)]
    [InlineData(130, 6, true)]
    public void AtBatchOneTheAlternatingPanelOrderKeepsEveryBit(int hiddenSize, int sequenceLength, bool givenInitialHidden)
    {
        AssertStepByStepEqualsForward(new EngineCase(1, 3, hiddenSize, 2, sequenceLength, givenInitialHidden, Seed: hiddenSize + sequenceLength));
        AssertAloneEqualsBatch(new EngineCase(3, 3, hiddenSize, 2, sequenceLength, givenInitialHidden, Seed: hiddenSize * sequenceLength));
    }

    private static void AssertStepByStepEqualsForward(EngineCase c)
    {
        float[] inputs = c.Inputs(), initialHidden = c.InitialHidden();
        int n = c.BatchSize, d = c.InputSize, h = c.HiddenSize, o = c.OutputSize, T = c.SequenceLength;
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            RnnModel model = c.Model(path);
            using var workspace = new RnnWorkspace(model);
            var whole = new float[T * n * o];
            workspace.Forward(inputs, T, n, initialHidden, OutputSteps.EveryStep, whole);
            var lastHidden = new float[n * h];
            workspace.CopyHiddenState(T, lastHidden);

            var session = new RnnStreamingSession(model, n);
            if (initialHidden.Length > 0) session.SetHiddenState(initialHidden);
            var output = new float[n * o];
            for (int t = 0; t < T; t++)
            {
                session.Step(inputs.AsSpan(t * n * d, n * d), output);
                FloatAssert.BitIdentical(whole.AsSpan(t * n * o, n * o), output, $"{path}: O_{t + 1} by Step vs Forward, {c}");
            }

            var streamedHidden = new float[n * h];
            session.CopyHiddenStateTo(streamedHidden);
            FloatAssert.BitIdentical(lastHidden, streamedHidden, $"{path}: H_T by Step vs Forward, {c}");
        }
    }

    // Outputs and every H_t from the forward pass; dX and dH_0 from the backward pass with the same output
    // gradients for that sequence (parameter gradients sum over the batch, so they are not per sequence).
    private static void AssertAloneEqualsBatch(EngineCase c)
    {
        float[] inputs = c.Inputs(), initialHidden = c.InitialHidden();
        int n = c.BatchSize, d = c.InputSize, h = c.HiddenSize, o = c.OutputSize, T = c.SequenceLength;
        int chosen = c.Seed % n;
        LossKind loss = c.Loss;
        OutputSteps steps = EngineAgainstReferenceProperties.StepsOf(loss);
        int outputSteps = steps == OutputSteps.LastStep ? 1 : T;
        float[] outputGradients = c.OutputGradients(loss);

        float[] aloneInputs = Rows(inputs, T, n, d, chosen);
        float[] aloneInitialHidden = initialHidden.Length == 0 ? [] : Rows(initialHidden, 1, n, h, chosen);
        float[] aloneOutputGradients = Rows(outputGradients, outputSteps, n, o, chosen);
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            RnnModel model = c.Model(path);
            var (batchOutputs, batchHidden, batchInputGradients, batchInitialGradients) =
                ForwardAndBackward(model, inputs, T, n, initialHidden, steps, outputGradients);
            var (aloneOutputs, aloneHidden, aloneInputGradients, aloneInitialGradients) =
                ForwardAndBackward(model, aloneInputs, T, 1, aloneInitialHidden, steps, aloneOutputGradients);

            string context = $"{path}: sequence {chosen} of {c}";
            FloatAssert.BitIdentical(Rows(batchOutputs, outputSteps, n, o, chosen), aloneOutputs, $"outputs, {context}");
            FloatAssert.BitIdentical(Rows(batchHidden, T + 1, n, h, chosen), aloneHidden, $"H_0..H_T, {context}");
            FloatAssert.BitIdentical(Rows(batchInputGradients, T, n, d, chosen), aloneInputGradients, $"dX, {context}");
            FloatAssert.BitIdentical(Rows(batchInitialGradients, 1, n, h, chosen), aloneInitialGradients, $"dH_0, {context}");
        }
    }

    [Fact]
    public void EveryInstructionSetPathGivesTheBitsOfTheScalarPath()
    {
        // Outputs, every gradient of Backward, the loss and gradients of ComputeGradients, the parameters after two
        // training steps, and streamed outputs.
        Check.One(Cases, Prop.ForAll(EngineCase.Arbitrary, (EngineCase c) => AssertEveryPathGivesTheScalarBits(c)));
    }

    /// <summary>
    /// A layer with h ≤ 64 and o ≤ 64 runs its forward steps, its last outputs, its streaming step and its backward
    /// recurrence as one fused pass per call on the AVX-512 path: every result equals the scalar path's at every width
    /// of h and o (whole and partial last vectors), including the o above 10 that the general cases do not reach.
    /// 100 cases of at most 4 rows and 6 steps: about a second.
    /// </summary>
    [Fact]
    public void TheFusedSmallLayerGivesTheBitsOfTheScalarPathAtEveryWidth() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), Prop.ForAll(EngineCase.SmallLayer, (EngineCase c) => AssertEveryPathGivesTheScalarBits(c)));

    /// <summary>Every result of <see cref="Everything"/> on every supported path, bit for bit those of the scalar path.</summary>
    private static void AssertEveryPathGivesTheScalarBits(EngineCase c)
    {
        float[][] scalar = Everything(c, InstructionSet.Scalar);
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            if (path == InstructionSet.Scalar) continue;
            float[][] other = Everything(c, path);
            for (int i = 0; i < scalar.Length; i++)
            {
                FloatAssert.BitIdentical(scalar[i], other[i], $"{path} vs Scalar, result {i} ({ResultNames[i]}) of {c}");
            }
        }
    }

    /// <summary>
    /// The layout choices a model makes keep every bit: with every forward weight packed and each forward step as two
    /// products (input projection, then recurrence), and with each step as one product over [Wxh ; Whh] (the automatic
    /// choice for small models, whose h ≤ 64 weights are read from the parameters in place), every result equals the
    /// automatic model's, on every path. The random shapes reach both in-place and packed Who (o up to 10 below and above
    /// the 15-float read margin) and h past one panel. 100 cases: each runs everything three times per path.
    /// </summary>
    [Fact]
    public void EveryLayoutChoiceGivesTheBitsOfTheAutomaticOne() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), Prop.ForAll(EngineCase.Arbitrary, (EngineCase c) =>
        {
            foreach (InstructionSet path in KernelDispatch.Supported)
            {
                float[][] automatic = Everything(c, path);
                foreach (ModelLayoutForTest layout in new[] { ModelLayoutForTest.EveryWeightPacked, ModelLayoutForTest.StepsAsOneProduct })
                {
                    float[][] other = Everything(c, path, layout);
                    for (int i = 0; i < automatic.Length; i++)
                    {
                        FloatAssert.BitIdentical(automatic[i], other[i], $"{path}, {layout} vs automatic, result {i} ({ResultNames[i]}) of {c}");
                    }
                }
            }
        }));

    private static readonly string[] ResultNames =
        ["outputs", "parameter gradients", "dH_0", "dX", "loss", "ComputeGradients", "parameters after training", "training losses", "streamed outputs"];

    private static float[][] Everything(EngineCase c, InstructionSet path, ModelLayoutForTest layout = ModelLayoutForTest.Automatic)
    {
        float[] inputs = c.Inputs(), initialHidden = c.InitialHidden();
        int n = c.BatchSize, T = c.SequenceLength;
        LossKind loss = c.Loss;
        OutputSteps steps = EngineAgainstReferenceProperties.StepsOf(loss);
        RnnModel model = new(c.Shape, c.Parameters(), path, layout);
        using var workspace = new RnnWorkspace(model);

        var outputs = new float[c.OutputCount(loss)];
        workspace.Forward(inputs, T, n, initialHidden, steps, outputs);
        var gradients = new float[c.Shape.ParameterCount];
        var dH0 = new float[n * c.HiddenSize];
        var dX = new float[inputs.Length];
        workspace.Backward(c.OutputGradients(loss), gradients, dH0, dX);

        float[] targets = c.Targets(loss);
        var lossGradients = new float[c.Shape.ParameterCount];
        float lossValue = workspace.ComputeGradients(inputs, T, n, targets, loss, lossGradients, initialHidden);

        var trainingLosses = new float[2];
        for (int step = 0; step < trainingLosses.Length; step++)
        {
            trainingLosses[step] = workspace.TrainStep(inputs, T, n, targets, loss, 0.1f, initialHidden);
        }

        var session = new RnnStreamingSession(model, n);
        var streamed = new float[T * n * c.OutputSize];
        for (int t = 0; t < T; t++)
        {
            session.Step(inputs.AsSpan(t * n * c.InputSize, n * c.InputSize), streamed.AsSpan(t * n * c.OutputSize, n * c.OutputSize));
        }

        return [outputs, gradients, dH0, dX, [lossValue], lossGradients, model.Parameters.ToArray(), trainingLosses, streamed];
    }

    private static (float[] Outputs, float[] Hidden, float[] InputGradients, float[] InitialGradients) ForwardAndBackward(
        RnnModel model, float[] inputs, int T, int n, float[] initialHidden, OutputSteps steps, float[] outputGradients)
    {
        int h = model.Shape.HiddenSize;
        using var workspace = new RnnWorkspace(model);
        var outputs = new float[outputGradients.Length];
        workspace.Forward(inputs, T, n, initialHidden, steps, outputs);
        var hidden = new float[(T + 1) * n * h];
        for (int t = 0; t <= T; t++) workspace.CopyHiddenState(t, hidden.AsSpan(t * n * h, n * h));
        var inputGradients = new float[inputs.Length];
        var initialGradients = new float[n * h];
        workspace.Backward(outputGradients, new float[model.Shape.ParameterCount], initialGradients, inputGradients);
        return (outputs, hidden, inputGradients, initialGradients);
    }

    /// <summary>Row <paramref name="row"/> of every block of a <c>[blocks][n][width]</c> buffer: one sequence's values.</summary>
    private static float[] Rows(float[] values, int blocks, int n, int width, int row)
    {
        var result = new float[blocks * width];
        for (int t = 0; t < blocks; t++) values.AsSpan((t * n + row) * width, width).CopyTo(result.AsSpan(t * width));
        return result;
    }
}
