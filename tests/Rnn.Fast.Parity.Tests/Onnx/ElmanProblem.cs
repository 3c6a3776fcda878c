using Rnn.Fast.Reference;

namespace Rnn.Fast.Parity.Tests.Onnx;

/// <summary>
/// One forward problem in exact terms: the parameters as doubles (bh the exact sum Wb + Rb of the two ONNX biases),
/// |Wb| + |Rb| per hidden unit for <see cref="ForwardErrorBound"/>, time-major float inputs (exact in double), an
/// optional H_0, and the double reference's forward pass.
/// </summary>
internal sealed class ElmanProblem
{
    public ElmanProblem(RnnShape shape, double[] parameters, double[] biasMagnitudes, float[] inputs, int sequenceLength, int batchSize, float[]? initialHidden)
    {
        Shape = shape;
        Parameters = parameters;
        BiasMagnitudes = biasMagnitudes;
        Inputs = ReferenceRnn.Widen(inputs);
        SequenceLength = sequenceLength;
        BatchSize = batchSize;
        InitialHidden = initialHidden;
        Reference = ReferenceRnn.Forward(shape, parameters, Inputs, sequenceLength, batchSize,
            initialHidden is null ? default : ReferenceRnn.Widen(initialHidden));
    }

    /// <summary>The problem of <paramref name="model"/> as it stands (bh as given, the recurrent bias zero).</summary>
    public static ElmanProblem Of(RnnModel model, float[] inputs, int sequenceLength, int batchSize, float[]? initialHidden = null) =>
        Of(model, model.Shape.Bh(model.Parameters).ToArray(), new float[model.Shape.HiddenSize], inputs, sequenceLength, batchSize, initialHidden);

    /// <summary>The problem of <paramref name="model"/> with bh replaced by the exact sum of the two biases the file held.</summary>
    public static ElmanProblem Of(RnnModel model, float[] inputBias, float[] recurrentBias, float[] inputs, int sequenceLength, int batchSize, float[]? initialHidden)
    {
        RnnShape shape = model.Shape;
        double[] parameters = ReferenceRnn.Widen(model.Parameters);
        Span<double> bh = shape.Bh<double>(parameters);
        var magnitudes = new double[shape.HiddenSize];
        for (int j = 0; j < bh.Length; j++)
        {
            bh[j] = (double)inputBias[j] + recurrentBias[j]; // exact: two floats sum exactly in double
            magnitudes[j] = Math.Abs(inputBias[j]) + Math.Abs((double)recurrentBias[j]);
        }

        return new ElmanProblem(shape, parameters, magnitudes, inputs, sequenceLength, batchSize, initialHidden);
    }

    public RnnShape Shape { get; }

    public double[] Parameters { get; }

    public double[] BiasMagnitudes { get; }

    public double[] Inputs { get; }

    public int SequenceLength { get; }

    public int BatchSize { get; }

    public float[]? InitialHidden { get; }

    public ReferenceForwardPass Reference { get; }

    /// <summary>The bound of an implementation in float32 with tanh error <paramref name="tanhError"/>.</summary>
    public ForwardErrorBound FloatBound(double tanhError) => new(this, ForwardErrorBound.SingleRoundoff, tanhError);

    /// <summary>The reference's own bound (double, Math.Tanh).</summary>
    public ForwardErrorBound ReferenceBound() => new(this, ForwardErrorBound.DoubleRoundoff, ForwardErrorBound.DoubleTanhError);

    /// <summary>Our fast engine's forward pass: the outputs of the steps asked for.</summary>
    public float[] OursOutputs(RnnModel model, OutputSteps steps)
    {
        int o = Shape.OutputSize;
        var outputs = new float[(steps == OutputSteps.EveryStep ? SequenceLength : 1) * BatchSize * o];
        float[] inputs = [.. Inputs.Select(x => (float)x)];
        using var workspace = new RnnWorkspace(model);
        workspace.Forward(inputs, SequenceLength, BatchSize, InitialHidden ?? new float[BatchSize * Shape.HiddenSize], steps, outputs);
        return outputs;
    }

    /// <summary>Our fast engine's H_t after a forward pass.</summary>
    public float[] OursHidden(RnnModel model, int step)
    {
        float[] inputs = [.. Inputs.Select(x => (float)x)];
        var outputs = new float[BatchSize * Shape.OutputSize];
        var hidden = new float[BatchSize * Shape.HiddenSize];
        using var workspace = new RnnWorkspace(model);
        workspace.Forward(inputs, SequenceLength, BatchSize, InitialHidden ?? new float[BatchSize * Shape.HiddenSize], OutputSteps.LastStep, outputs);
        workspace.CopyHiddenState(step, hidden);
        return hidden;
    }
}
