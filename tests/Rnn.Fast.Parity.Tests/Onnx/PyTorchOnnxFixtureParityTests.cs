using System.Text.Json;
using Rnn.Fast.Onnx;
using Rnn.Fast.Onnx.Tests.Support;

namespace Rnn.Fast.Parity.Tests.Onnx;

/// <summary>
/// The graphs real torch.onnx.export wrote (tests/Fixtures/pytorch), imported by Rnn.Fast.Onnx, give torch's outputs:
/// the imported parameters are the state_dict's tensors bit for bit (transposed where the ONNX RNN says), and our
/// engine's outputs on torch's inputs agree with torch's float32 and float64 outputs, and with ONNX Runtime running the
/// same file, each pair within the sum of the two implementations' <see cref="ForwardErrorBound"/>s, and each within its
/// own bound of the double reference.
/// </summary>
public sealed class PyTorchOnnxFixtureParityTests
{
    public static TheoryData<string> SupportedFiles() =>
        [.. PyTorchFixtures.OnnxFiles("supported").Concat(PyTorchFixtures.OnnxFiles("prefix")).Select(f => f.Onnx.GetProperty("file").GetString()!)];

    [Theory]
    [MemberData(nameof(SupportedFiles))]
    public void TheImportedParametersAreTheStateDictsBitForBit(string file)
    {
        Fixture fixture = Fixture.Of(file);
        RnnModel model = OnnxImporter.Import(PyTorchFixtures.File(file)).Model;
        RnnShape shape = model.Shape;
        int d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize;
        ReadOnlySpan<float> p = model.Parameters;
        ReadOnlySpan<float> wxh = shape.Wxh(p), whh = shape.Whh(p), bh = shape.Bh(p), who = shape.Who(p), bo = shape.Bo(p);
        float[] weightIh = fixture.StateDict[$"{fixture.RnnPrefix}weight_ih_l0"], weightHh = fixture.StateDict[$"{fixture.RnnPrefix}weight_hh_l0"];
        float[] fcWeight = fixture.StateDict[$"{fixture.HeadPrefix}weight"], fcBias = fixture.StateDict[$"{fixture.HeadPrefix}bias"];
        for (int j = 0; j < h; j++)
        {
            for (int i = 0; i < d; i++) Assert.Equal(weightIh[j * d + i], wxh[i * h + j]);
            for (int k = 0; k < h; k++) Assert.Equal(weightHh[j * h + k], whh[k * h + j]);
            // bias_ih + bias_hh rounded once to float, as the importer documents (zeros without RNN biases).
            Assert.Equal((float)((double)fixture.InputBias[j] + fixture.RecurrentBias[j]), bh[j]);
            for (int k = 0; k < o; k++) Assert.Equal(fcWeight[k * h + j], who[j * o + k]);
        }

        Assert.Equal(fcBias, bo.ToArray());
    }

    [Theory]
    [MemberData(nameof(SupportedFiles))]
    public void TheImportedModelGivesTorchsAndOnnxRuntimesOutputsWithinTheirBounds(string file)
    {
        Fixture fixture = Fixture.Of(file);
        OnnxImportResult result = OnnxImporter.Import(PyTorchFixtures.File(file));
        RnnModel model = result.Model;
        int T = fixture.SequenceLength, n = fixture.BatchSize, o = model.Shape.OutputSize, h = model.Shape.HiddenSize;
        float[] x = fixture.Array("x");
        float[] xTimeMajor = fixture.BatchFirst ? Layouts.SwapLeadingAxes(x, n, T, model.Shape.InputSize) : x;
        float[]? h0 = fixture.H0Input ? fixture.Array("h0") : null;
        var problem = ElmanProblem.Of(model, fixture.InputBias, fixture.RecurrentBias, xTimeMajor, T, n, h0);
        OutputSteps steps = result.OutputSteps;
        bool reorder = fixture.BatchFirst && steps == OutputSteps.EveryStep;
        float[] TimeMajor(float[] values) => reorder ? Layouts.SwapLeadingAxes(values, n, T, o) : values;

        double[] reference = steps == OutputSteps.LastStep ? problem.Reference.LastOutput.ToArray() : problem.Reference.Outputs.ToArray();
        double[] oursBound = problem.FloatBound(ForwardErrorBound.OursTanhError).Outputs(steps, o);
        double[] torchBound = problem.FloatBound(ForwardErrorBound.TorchFloatTanhError).Outputs(steps, o);
        double[] onnxRuntimeBound = problem.FloatBound(ForwardErrorBound.OnnxRuntimeTanhError).Outputs(steps, o);
        double[] doubleBound = problem.ReferenceBound().Outputs(steps, o);

        float[] ours = problem.OursOutputs(model, steps);
        float[] torch = TimeMajor(fixture.Array("o"));
        double[] torch64 = fixture.DoubleArray("o_f64");
        if (reorder) torch64 = Layouts.SwapLeadingAxes(torch64, n, T, o);
        (string Name, float[] Values, long[] Shape)[] inputs = h0 is null
            ? [("x", x, fixture.Shape("x"))]
            : [("x", x, fixture.Shape("x")), ("h0", h0, fixture.Shape("h0"))];
        using var onnxRuntime = new OnnxRuntimeModel(File.ReadAllBytes(PyTorchFixtures.File(file)));
        float[] ort = TimeMajor(onnxRuntime.Run(inputs)["o"].Values);

        BoundedComparison.Within($"ours vs the reference ({file})", ours, reference, oursBound, doubleBound);
        BoundedComparison.Within($"torch float32 vs the reference ({file})", torch, reference, torchBound, doubleBound);
        BoundedComparison.Within($"ONNX Runtime vs the reference ({file})", ort, reference, onnxRuntimeBound, doubleBound);
        BoundedComparison.Agree($"ours vs torch float32 ({file})", ours, torch, oursBound, torchBound);
        BoundedComparison.Agree($"ours vs torch float64 ({file})", ours, torch64, oursBound, doubleBound);
        BoundedComparison.Agree($"ours vs ONNX Runtime ({file})", ours, ort, oursBound, onnxRuntimeBound);
        // torch's double forward and the reference: both double, each within its double bound.
        double[] twiceDouble = [.. doubleBound.Select(b => 2 * b)];
        BoundedComparison.Within($"torch float64 vs the reference ({file})", torch64, reference, twiceDouble);

        // The last hidden state: torch's h_n [1, n, h] against ours.
        float[] hidden = problem.OursHidden(model, T);
        double[] hiddenBound = problem.FloatBound(ForwardErrorBound.OursTanhError).Hidden(T);
        double[] torchHiddenBound = problem.FloatBound(ForwardErrorBound.TorchFloatTanhError).Hidden(T);
        BoundedComparison.Agree($"H_T: ours vs torch's h_n ({file})", hidden, fixture.Array("h_n"), hiddenBound, torchHiddenBound);
    }

    /// <summary>T and n are symbolic in the exported graphs: at other sizes than torch's, ONNX Runtime running the file
    /// and our engine running its import still agree (T = 1, n = 1 and T > n included).</summary>
    [Theory]
    [InlineData("tm_last.onnx", 1, 1)]
    [InlineData("tm_last.opset9.onnx", 12, 3)]
    [InlineData("tm_every.onnx", 3, 5)]
    [InlineData("tm_every.opset9.onnx", 1, 2)]
    [InlineData("bf_last.onnx", 2, 6)]
    [InlineData("bf_every.onnx", 9, 1)]
    [InlineData("tm_last_h0.onnx", 4, 3)]
    [InlineData("tm_last_nobias.onnx", 5, 2)]
    public void AtOtherSizesOnnxRuntimeAndOurImportStillAgree(string file, int T, int n)
    {
        Fixture fixture = Fixture.Of(file);
        OnnxImportResult result = OnnxImporter.Import(PyTorchFixtures.File(file));
        RnnModel model = result.Model;
        int d = model.Shape.InputSize, h = model.Shape.HiddenSize, o = model.Shape.OutputSize;
        var random = new Random(T * 100 + n);
        float[] Uniform(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)(2 * random.NextDouble() - 1))];
        float[] xTimeMajor = Uniform(T * n * d);
        float[]? h0 = fixture.H0Input ? Uniform(n * h) : null;
        var problem = ElmanProblem.Of(model, fixture.InputBias, fixture.RecurrentBias, xTimeMajor, T, n, h0);
        OutputSteps steps = result.OutputSteps;
        bool batchFirst = result.InputLayout == OnnxSequenceLayout.BatchMajor;

        float[] x = batchFirst ? Layouts.SwapLeadingAxes(xTimeMajor, T, n, d) : xTimeMajor;
        long[] xShape = batchFirst ? [n, T, d] : [T, n, d];
        using var onnxRuntime = new OnnxRuntimeModel(File.ReadAllBytes(PyTorchFixtures.File(file)));
        float[] ort = h0 is null ? onnxRuntime.Run(("x", x, xShape))["o"].Values : onnxRuntime.Run(("x", x, xShape), ("h0", h0, [1, n, h]))["o"].Values;
        if (batchFirst && steps == OutputSteps.EveryStep) ort = Layouts.SwapLeadingAxes(ort, n, T, o);

        BoundedComparison.Agree($"ours vs ONNX Runtime ({file}, T = {T}, n = {n})", problem.OursOutputs(model, steps), ort,
            problem.FloatBound(ForwardErrorBound.OursTanhError).Outputs(steps, o), problem.FloatBound(ForwardErrorBound.OnnxRuntimeTanhError).Outputs(steps, o));
    }

    /// <summary>A fixture case as the manifest describes it, with its state_dict.</summary>
    private sealed class Fixture
    {
        private readonly JsonElement _data;

        private Fixture(JsonElement own, JsonElement data)
        {
            _data = data;
            SequenceLength = data.GetProperty("T").GetInt32();
            BatchSize = data.GetProperty("n").GetInt32();
            BatchFirst = data.GetProperty("batch_first").GetBoolean();
            H0Input = data.GetProperty("h0_input").GetBoolean();
            RnnPrefix = own.TryGetProperty("rnn_prefix", out JsonElement rnn) ? rnn.GetString()! : "rnn.";
            HeadPrefix = own.TryGetProperty("head_prefix", out JsonElement head) ? head.GetString()! : "fc.";
            StateDict = SafetensorsFile.ReadFloats(PyTorchFixtures.File(own.GetProperty("state_dict").GetString()!));
            int h = data.GetProperty("h").GetInt32();
            InputBias = StateDict.GetValueOrDefault($"{RnnPrefix}bias_ih_l0") ?? new float[h];
            RecurrentBias = StateDict.GetValueOrDefault($"{RnnPrefix}bias_hh_l0") ?? new float[h];
        }

        public int SequenceLength { get; }

        public int BatchSize { get; }

        public bool BatchFirst { get; }

        public bool H0Input { get; }

        public string RnnPrefix { get; }

        public string HeadPrefix { get; }

        public Dictionary<string, float[]> StateDict { get; }

        public float[] InputBias { get; }

        public float[] RecurrentBias { get; }

        /// <summary>The case holding <paramref name="file"/>; a prefix case takes its arrays from the case whose parameters it shares.</summary>
        public static Fixture Of(string file)
        {
            JsonElement own = PyTorchFixtures.Cases.Single(c => c.TryGetProperty("onnx", out JsonElement onnx) && onnx.EnumerateArray().Any(f => f.GetProperty("file").GetString() == file));
            JsonElement data = own.TryGetProperty("same_parameters_as", out JsonElement same) ? PyTorchFixtures.Case(same.GetString()!) : own;
            return new Fixture(own, data);
        }

        public float[] Array(string name) => PyTorchFixtures.Floats(_data.GetProperty("arrays").GetProperty(name).GetProperty("file").GetString()!);

        public double[] DoubleArray(string name)
        {
            byte[] bytes = File.ReadAllBytes(PyTorchFixtures.File(_data.GetProperty("arrays").GetProperty(name).GetProperty("file").GetString()!));
            var values = new double[bytes.Length / 8];
            Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
            return values;
        }

        public long[] Shape(string name) => [.. _data.GetProperty("arrays").GetProperty(name).GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())];
    }
}
