using Rnn.Fast.Onnx;
using Rnn.Fast.Onnx.Tests.Support;
using static Rnn.Fast.Onnx.Tests.Support.OnnxGraphBuilder;

namespace Rnn.Fast.Parity.Tests.Onnx;

/// <summary>
/// The four cases of the ONNX RNN operator's conformance suite (onnx/backend/test/case/node/rnn.py: defaults, initial
/// bias, seq_length, batchwise), rebuilt here as graphs with the same inputs, sizes and weights (W, R and B as
/// initializers; the seq_length case's random weights drawn from our own seeded normal generator), imported by us: our
/// engine gives ONNX Runtime's outputs on the same graph, each within its <see cref="ForwardErrorBound"/> of the double
/// reference and the two within the sum of their bounds. None of these graphs has an output layer, so the import's
/// output is the hidden state (Who = I, bo = 0).
/// </summary>
/// <remarks>
/// ONNX Runtime's CPU provider refuses the RNN operator with layout 1 ("Batchwise recurrent operations (layout == 1)
/// are not supported"), so for the batchwise case its oracle is the same RNN at layout 0 on the transposed input — the
/// graph the specification defines layout 1 to equal — and our import of the layout-1 graph must be, parameter for
/// parameter, our import of that twin.
/// </remarks>
public sealed class OnnxConformanceCaseTests
{
    [Fact]
    public void Defaults()
    {
        // X [T = 1, n = 3, d = 2], h = 4, W = R = 0.1, no B; the node's only output is Y_h.
        float[] x = [1, 2, 3, 4, 5, 6];
        Check("defaults", x, sequenceLength: 1, batchSize: 3, inputSize: 2, hiddenSize: 4, Fill(4 * 2, 0.1f), Fill(4 * 4, 0.1f), bias: null, layout: 0);
    }

    [Fact]
    public void InitialBias()
    {
        // X [1, 3, 3] = 1..9, h = 5, W = R = 0.1, B = [0.1 (Wb) | 0 (Rb)].
        float[] x = [.. Enumerable.Range(1, 9).Select(v => (float)v)];
        Check("initial_bias", x, 1, 3, 3, 5, Fill(5 * 3, 0.1f), Fill(5 * 5, 0.1f), [.. Fill(5, 0.1f), .. new float[5]], layout: 0);
    }

    [Fact]
    public void SeqLength()
    {
        // X [T = 2, n = 3, d = 3] = 1..18, h = 5, W, R, Wb and Rb standard normal.
        float[] x = [.. Enumerable.Range(1, 18).Select(v => (float)v)];
        var random = new Random(2024);
        Check("seq_length", x, 2, 3, 3, 5, Normal(random, 5 * 3), Normal(random, 5 * 5), Normal(random, 2 * 5), layout: 0);
    }

    [Fact]
    public void Batchwise()
    {
        // layout 1: X [n = 3, T = 1, d = 2], h = 4, W = R = 0.5, no B; outputs Y [n, T, 1, h] and Y_h [n, 1, h].
        float[] x = [1, 2, 3, 4, 5, 6];
        Check("batchwise", x, 1, 3, 2, 4, Fill(4 * 2, 0.5f), Fill(4 * 4, 0.5f), bias: null, layout: 1);
    }

    private static void Check(string name, float[] x, int sequenceLength, int batchSize, int inputSize, int hiddenSize,
        float[] w, float[] r, float[]? bias, int layout)
    {
        int T = sequenceLength, n = batchSize, d = inputSize, h = hiddenSize;
        var graph = new OnnxGraphBuilder(opset: 14);
        long[] xShape = layout == 0 ? [T, n, d] : [n, T, d];
        graph.Input("X", xShape[0], xShape[1], xShape[2]);
        graph.Initializer("W", [1, h, d], w);
        graph.Initializer("R", [1, h, h], r);
        string[] inputs = bias is null ? ["X", "W", "R"] : ["X", "W", "R", graph.Initializer("B", [1, 2 * h], bias)];
        if (layout == 0)
        {
            graph.Node("RNN", inputs, ["", "Y_h"], Int("hidden_size", h));
            graph.Output("Y_h", 1, n, h);
        }
        else
        {
            graph.Node("RNN", inputs, ["Y", "Y_h"], Int("hidden_size", h), Int("layout", 1));
            graph.Output("Y", n, T, 1, h);
            graph.Output("Y_h", n, 1, h);
        }

        byte[] file = graph.ToBytes();
        OnnxImportResult imported = OnnxImporter.Import(new MemoryStream(file));
        float[] xTimeMajor = layout == 0 ? x : Layouts.SwapLeadingAxes(x, n, T, d);
        if (layout == 1)
        {
            // The twin: layout 0, X [T, n, d] transposed from X, outputs Y [T, 1, n, h] and Y_h [1, n, h].
            var twin = new OnnxGraphBuilder(opset: 14);
            twin.Input("X", T, n, d);
            twin.Initializer("W", [1, h, d], w);
            twin.Initializer("R", [1, h, h], r);
            twin.Node("RNN", inputs, ["Y", "Y_h"], Int("hidden_size", h));
            twin.Output("Y", T, 1, n, h);
            twin.Output("Y_h", 1, n, h);
            file = twin.ToBytes();
            Assert.Equal(imported.Model.Parameters.ToArray(), OnnxImporter.Import(new MemoryStream(file)).Model.Parameters.ToArray());
            (x, xShape) = (xTimeMajor, [T, n, d]);
        }

        Assert.False(imported.HasOutputLayer);
        Assert.Equal(new RnnShape(d, h, h), imported.Shape);
        Assert.Equal(layout == 0 ? OnnxSequenceLayout.TimeMajor : OnnxSequenceLayout.BatchMajor, imported.InputLayout);
        Assert.Equal(layout == 0 ? OutputSteps.LastStep : OutputSteps.EveryStep, imported.OutputSteps);

        using var onnxRuntime = new OnnxRuntimeModel(file);
        var outputs = onnxRuntime.Run(("X", x, xShape));

        float[] inputBias = bias?[..h] ?? new float[h], recurrentBias = bias?[h..] ?? new float[h];
        var problem = ElmanProblem.Of(imported.Model, inputBias, recurrentBias, xTimeMajor, T, n, initialHidden: null);
        ForwardErrorBound ours = problem.FloatBound(ForwardErrorBound.OursTanhError), ort = problem.FloatBound(ForwardErrorBound.OnnxRuntimeTanhError);
        ForwardErrorBound reference = problem.ReferenceBound();

        // Y_h [1, n, h] against our H_T and our output O_T = H_T·I.
        float[] ortHidden = outputs["Y_h"].Values;
        float[] oursHidden = problem.OursHidden(imported.Model, T);
        float[] oursLast = problem.OursOutputs(imported.Model, OutputSteps.LastStep);
        BoundedComparison.Within($"{name}: ONNX Runtime's Y_h vs the reference", ortHidden, problem.Reference.HiddenState(T), ort.Hidden(T), reference.Hidden(T));
        BoundedComparison.Within($"{name}: our H_T vs the reference", oursHidden, problem.Reference.HiddenState(T), ours.Hidden(T), reference.Hidden(T));
        BoundedComparison.Agree($"{name}: our H_T vs ONNX Runtime's Y_h", oursHidden, ortHidden, ours.Hidden(T), ort.Hidden(T));
        BoundedComparison.Agree($"{name}: our O_T vs ONNX Runtime's Y_h", oursLast, ortHidden, ours.Outputs(OutputSteps.LastStep, h), ort.Hidden(T));
        if (layout == 1)
        {
            // The twin's Y [T, 1, n, h] against our every-step outputs [T, n, h].
            BoundedComparison.Agree($"{name}: our O_1..O_T vs ONNX Runtime's Y", problem.OursOutputs(imported.Model, OutputSteps.EveryStep), outputs["Y"].Values,
                ours.OutputBound, ort.OutputBound);
        }
    }

    private static float[] Fill(int count, float value) => Enumerable.Repeat(value, count).ToArray();

    /// <summary>Standard normal values by Box–Muller from a seeded generator (numpy's randn in the original).</summary>
    private static float[] Normal(Random random, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())))];
}
