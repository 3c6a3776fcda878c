using Rnn.Fast.Onnx;
using Rnn.Fast.Onnx.Tests.Support;
using static Rnn.Fast.Onnx.Tests.Support.OnnxGraphBuilder;

namespace Rnn.Fast.Parity.Tests.Onnx;

/// <summary>
/// The graph forms the importer accepts besides those torch 1.13 writes — weights in Constant nodes behind Identity,
/// Gemm with transA, alpha and beta, Reshape and Gather(−1) in place of Squeeze, MatMul without Add, a transposed output,
/// a zero constant initial state with fixed sizes and sequence_lens, initializers listed as graph inputs at opset 9, no
/// output layer — each imported and run by our engine, give ONNX Runtime's outputs on the very same file within the sum
/// of the two <see cref="ForwardErrorBound"/>s. This is what shows that the importer reads each form as ONNX defines it.
/// </summary>
public sealed class OnnxImportFormParityTests
{
    private const int D = 4, H = 9, O = 3;

    public static TheoryData<string> Forms() =>
        ["constant nodes and Gemm transA alpha beta", "Reshape and MatMul Add", "Gather of the last step and MatMul", "fixed sizes with a zero state and sequence_lens",
         "transposed output", "opset 9 with initializers as inputs and h0", "no output layer"];

    [Theory]
    [MemberData(nameof(Forms))]
    public void EachAcceptedFormGivesOnnxRuntimesOutputs(string form)
    {
        var random = new Random(form.Length);
        float[] Uniform(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)(2 * random.NextDouble() - 1))];
        float[] w = Uniform(H * D), r = Uniform(H * H), wb = Uniform(H), rb = Uniform(H), fcWeight = Uniform(O * H), fcBias = Uniform(O);
        float[] fcWeightTransposed = new float[H * O];
        for (int j = 0; j < H; j++)
        {
            for (int k = 0; k < O; k++) fcWeightTransposed[j * O + k] = fcWeight[k * H + j];
        }

        int T = 5, n = 3;
        var graph = new OnnxGraphBuilder(form.StartsWith("opset 9", StringComparison.Ordinal) ? 9 : 14, form.StartsWith("opset 9", StringComparison.Ordinal) ? 3 : 7);
        bool h0Input = false;
        OutputSteps steps = OutputSteps.LastStep;
        OnnxInitialState initialState = OnnxInitialState.Zero;
        OnnxSequenceLayout outputLayout = OnnxSequenceLayout.TimeMajor;
        bool hasHead = true;
        graph.Input("x", "T", "n", D);
        switch (form)
        {
            case "constant nodes and Gemm transA alpha beta":
            {
                graph.FloatConstant("w_const", [1, H, D], w);
                graph.Node("Identity", ["w_const"], ["w"]);
                graph.FloatConstant("r", [1, H, H], r);
                graph.FloatConstant("b", [1, 2 * H], [.. wb, .. rb]);
                graph.Node("RNN", ["x", "w", "r", "b"], ["", "y_h"], Int("hidden_size", H), Strings("activations", "Tanh"), String("direction", "forward"), Int("layout", 0));
                graph.IntegerConstant("axes", [1], [0]);
                graph.Node("Squeeze", ["y_h", "axes"], ["h_t"]);
                graph.Node("Transpose", ["h_t"], ["h_t_transposed"], Ints("perm", 1, 0));
                graph.Initializer("fc_w", [H, O], fcWeightTransposed);
                graph.Initializer("fc_b", [1, O], fcBias);
                graph.Node("Gemm", ["h_t_transposed", "fc_w", "fc_b"], ["o"], Int("transA", 1), Float("alpha", 0.5f), Float("beta", 2));
                graph.Output("o", "n", O);
                break;
            }

            case "Reshape and MatMul Add":
            {
                AddRnn(graph, w, r, [.. wb, .. rb], ["y", ""]);
                graph.Integers("shape", [3], [0, -1, H]);
                graph.Node("Reshape", ["y", "shape"], ["h_all"]);
                graph.Initializer("fc_w", [H, O], fcWeightTransposed);
                graph.Node("MatMul", ["h_all", "fc_w"], ["h_w"]);
                graph.Initializer("fc_b", [1, 1, O], fcBias);
                graph.Node("Add", ["h_w", "fc_b"], ["o"]);
                graph.Output("o", "T", "n", O);
                steps = OutputSteps.EveryStep;
                break;
            }

            case "Gather of the last step and MatMul":
            {
                AddRnn(graph, w, r, [.. wb, .. rb], ["y", ""]);
                graph.Integers("direction_axis", [1], [1]);
                graph.Node("Squeeze", ["y", "direction_axis"], ["h_all"]);
                graph.Integers("last", [], [-1]);
                graph.Node("Gather", ["h_all", "last"], ["h_t"], Int("axis", 0));
                graph.Initializer("fc_w", [H, O], fcWeightTransposed);
                graph.Node("MatMul", ["h_t", "fc_w"], ["o"]);
                graph.Output("o", "n", O);
                fcBias = new float[O]; // MatMul alone: bo = 0
                break;
            }

            case "fixed sizes with a zero state and sequence_lens":
            {
                graph.Graph.Input.Clear();
                graph.Input("x", T, n, D);
                graph.Initializer("h0", [1, n, H], new float[n * H]);
                graph.Graph.Initializer.Add(new Rnn.Fast.Onnx.Protobuf.TensorProto { Name = "lengths", DataType = 6, Dims = { n }, Int32Data = { T, T, T } });
                graph.Initializer("w", [1, H, D], w);
                graph.Initializer("r", [1, H, H], r);
                graph.Initializer("b", [1, 2 * H], [.. wb, .. rb]);
                graph.Node("RNN", ["x", "w", "r", "b", "lengths", "h0"], ["", "y_h"], Int("hidden_size", H));
                graph.Integers("shape", [2], [-1, H]);
                graph.Node("Reshape", ["y_h", "shape"], ["h_t"]);
                graph.Initializer("fc_w", [O, H], fcWeight);
                graph.Initializer("fc_b", [1], [fcBias[0]]);
                graph.Node("Gemm", ["h_t", "fc_w", "fc_b"], ["o"], Int("transB", 1));
                graph.Output("o", n, O);
                fcBias = Enumerable.Repeat(fcBias[0], O).ToArray(); // C of one element, broadcast
                initialState = OnnxInitialState.ZeroConstant;
                break;
            }

            case "transposed output":
            {
                AddRnn(graph, w, r, [.. wb, .. rb], ["y", ""]);
                graph.Integers("direction_axis", [1], [1]);
                graph.Node("Squeeze", ["y", "direction_axis"], ["h_all"]);
                graph.Initializer("fc_w", [H, O], fcWeightTransposed);
                graph.Node("MatMul", ["h_all", "fc_w"], ["h_w"]);
                graph.Initializer("fc_b", [O], fcBias);
                graph.Node("Add", ["fc_b", "h_w"], ["o_time_major"]);
                graph.Node("Transpose", ["o_time_major"], ["o"], Ints("perm", 1, 0, 2));
                graph.Output("o", "n", "T", O);
                steps = OutputSteps.EveryStep;
                outputLayout = OnnxSequenceLayout.BatchMajor;
                break;
            }

            case "opset 9 with initializers as inputs and h0":
            {
                graph.Input("h0", 1, "n", H);
                AddRnn(graph, w, r, [.. wb, .. rb], ["", "y_h"], "h0");
                graph.Input("w", 1, H, D);
                graph.Input("r", 1, H, H);
                graph.Input("b", 1, 2 * H);
                graph.Node("Squeeze", ["y_h"], ["h_t"], Ints("axes", 0));
                graph.Initializer("fc_w", [O, H], fcWeight);
                graph.Initializer("fc_b", [O], fcBias);
                graph.Node("Gemm", ["h_t", "fc_w", "fc_b"], ["o"], Float("alpha", 1), Float("beta", 1), Int("transB", 1));
                graph.Output("o", "n", O);
                h0Input = true;
                initialState = OnnxInitialState.GraphInput;
                break;
            }

            default: // no output layer: the graph returns Y and Y_h
            {
                AddRnn(graph, w, r, [.. wb, .. rb], ["y", "y_h"]);
                graph.Output("y", "T", 1, "n", H);
                graph.Output("y_h", 1, "n", H);
                steps = OutputSteps.EveryStep;
                hasHead = false;
                break;
            }
        }

        byte[] file = graph.ToBytes();
        OnnxImportResult result = OnnxImporter.Import(new MemoryStream(file));
        Assert.Equal(new RnnShape(D, H, hasHead ? O : H), result.Shape);
        Assert.Equal(steps, result.OutputSteps);
        Assert.Equal(initialState, result.InitialState);
        Assert.Equal(outputLayout, result.Output.Layout);
        Assert.Equal(hasHead, result.HasOutputLayer);
        if (hasHead) Assert.Equal(fcBias, result.Model.Shape.Bo(result.Model.Parameters).ToArray().Select(b => form.StartsWith("constant", StringComparison.Ordinal) ? b / 2 : b));

        float[] x = Uniform(T * n * D);
        float[]? h0 = h0Input ? Uniform(n * H) : null;
        using var onnxRuntime = new OnnxRuntimeModel(file);
        var outputs = h0 is null ? onnxRuntime.Run(("x", x, [T, n, D])) : onnxRuntime.Run(("x", x, [T, n, D]), ("h0", h0, [1, n, H]));
        float[] ort = outputs[result.Output.Name].Values;
        if (outputLayout == OnnxSequenceLayout.BatchMajor) ort = Layouts.SwapLeadingAxes(ort, n, T, O);

        var problem = ElmanProblem.Of(result.Model, wb, rb, x, T, n, h0);
        int o = result.Shape.OutputSize;
        double[] oursBound = problem.FloatBound(ForwardErrorBound.OursTanhError).Outputs(steps, o);
        double[] ortBound = problem.FloatBound(ForwardErrorBound.OnnxRuntimeTanhError).Outputs(steps, o);
        double[] expected = steps == OutputSteps.LastStep ? problem.Reference.LastOutput.ToArray() : problem.Reference.Outputs.ToArray();
        float[] ours = problem.OursOutputs(result.Model, steps);
        BoundedComparison.Within($"{form}: ONNX Runtime vs the reference", ort, expected, ortBound, problem.ReferenceBound().Outputs(steps, o));
        BoundedComparison.Agree($"{form}: ours vs ONNX Runtime", ours, ort, oursBound, ortBound);
    }

    private static void AddRnn(OnnxGraphBuilder graph, float[] w, float[] r, float[] b, string[] outputs, string initialHidden = "")
    {
        graph.Initializer("w", [1, H, D], w);
        graph.Initializer("r", [1, H, H], r);
        graph.Initializer("b", [1, 2 * H], b);
        string[] inputs = initialHidden.Length == 0 ? ["x", "w", "r", "b"] : ["x", "w", "r", "b", "", initialHidden];
        graph.Node("RNN", inputs, outputs, Int("hidden_size", H));
    }
}
