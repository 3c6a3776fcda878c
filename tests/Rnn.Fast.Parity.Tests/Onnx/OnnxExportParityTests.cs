using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Rnn.Fast.Onnx;

namespace Rnn.Fast.Parity.Tests.Onnx;

/// <summary>
/// Every model Rnn.Fast.Onnx exports runs in ONNX Runtime and gives our outputs: O (last step or every step) and the
/// last hidden state Y_h, at every opset the exporter writes, with and without the initial-state input, each within the
/// sum of our engine's and ONNX Runtime's <see cref="ForwardErrorBound"/>s, and each within its own bound of the double
/// reference.
/// </summary>
public sealed class OnnxExportParityTests
{
    /// <summary>One exported problem: sizes, seeds and the export's options.</summary>
    public sealed record ExportCase(int BatchSize, int InputSize, int HiddenSize, int OutputSize, int SequenceLength, int Seed, int Opset, OutputSteps Steps, bool InitialHidden)
    {
        public override string ToString() =>
            $"n={BatchSize} d={InputSize} h={HiddenSize} o={OutputSize} T={SequenceLength} seed={Seed} opset={Opset} {Steps}{(InitialHidden ? " with initial_h" : "")}";
    }

    /// <summary>Both opset families × both output forms × with and without initial_h, at a shape off every vector width.</summary>
    public static TheoryData<int, OutputSteps, bool> OpsetStepsAndInitialState()
    {
        var data = new TheoryData<int, OutputSteps, bool>();
        foreach (int opset in (int[])[9, 14])
        {
            foreach (OutputSteps steps in (OutputSteps[])[OutputSteps.LastStep, OutputSteps.EveryStep])
            {
                data.Add(opset, steps, false);
                data.Add(opset, steps, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OpsetStepsAndInitialState))]
    public void OnnxRuntimeRunningTheExportGivesOurOutputsAndHiddenState(int opset, OutputSteps steps, bool initialHidden) =>
        AssertExportAgrees(new ExportCase(3, 7, 33, 5, 6, 11, opset, steps, initialHidden));

    [Theory]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void EveryOtherOpsetTheExporterWritesRunsToo(int opset)
    {
        AssertExportAgrees(new ExportCase(2, 4, 9, 3, 5, opset, opset, OutputSteps.LastStep, InitialHidden: true));
        AssertExportAgrees(new ExportCase(2, 4, 9, 3, 5, opset, opset, OutputSteps.EveryStep, InitialHidden: false));
    }

    /// <summary>Random small problems: n 1..4, d 1..8, h 1..24, o 1..6, T 1..8 (T = 1, n = 1 and d ≠ o all
    /// frequent), any opset and form. 100 cases: each builds an ONNX Runtime session (a few milliseconds) and the
    /// reference and bounds of a problem of at most a few thousand multiply-adds.</summary>
    [Property(MaxTest = 100, Arbitrary = [typeof(OnnxExportParityTests)])]
    public void OnRandomShapesOnnxRuntimeGivesOurOutputs(ExportCase c) => AssertExportAgrees(c);

    public static Arbitrary<ExportCase> Cases() => Arb.From(
        from n in Gen.Choose(1, 4)
        from d in Gen.Choose(1, 8)
        from h in Gen.Choose(1, 24)
        from o in Gen.Choose(1, 6)
        from T in Gen.Choose(1, 8)
        from seed in Gen.Choose(0, int.MaxValue / 4)
        from opset in Gen.Choose(OnnxExporter.MinimumOpset, OnnxExporter.MaximumOpset)
        from every in Gen.Elements(false, true)
        from initial in Gen.Elements(false, true)
        select new ExportCase(n, d, h, o, T, seed, opset, every ? OutputSteps.EveryStep : OutputSteps.LastStep, initial));

    /// <summary>
    /// The streaming use of an export: a T = 1 graph with the initial-state input, called step by step with each call's
    /// Y_h fed back, gives the outputs of our <see cref="RnnStreamingSession"/> — within the bounds of the whole
    /// sequence, since carrying the state between calls is the recurrence itself.
    /// </summary>
    [Fact]
    public void CallingAOneStepExportWithTheCarriedStateFollowsOurStreamingSession()
    {
        const int n = 2, d = 5, h = 17, o = 3, steps = 6;
        var model = new RnnModel(new RnnShape(d, h, o), 21UL);
        var random = new Random(21);
        float[] inputs = [.. Enumerable.Range(0, steps * n * d).Select(_ => (float)(2 * random.NextDouble() - 1))];
        using var stream = new MemoryStream();
        OnnxExporter.Export(model, stream, new OnnxExportOptions { InitialHiddenInput = true });
        using var onnxRuntime = new OnnxRuntimeModel(stream.ToArray());
        var session = new RnnStreamingSession(model, n);
        var problem = ElmanProblem.Of(model, inputs, steps, n);
        double[] oursBound = problem.FloatBound(ForwardErrorBound.OursTanhError).OutputBound;
        double[] ortBound = problem.FloatBound(ForwardErrorBound.OnnxRuntimeTanhError).OutputBound;

        var state = new float[n * h];
        var output = new float[n * o];
        for (int t = 0; t < steps; t++)
        {
            float[] x = inputs[(t * n * d)..((t + 1) * n * d)];
            var result = onnxRuntime.Run((OnnxExporter.InputName, x, [1, n, d]), (OnnxExporter.InitialHiddenName, state, [1, n, h]));
            state = result[OnnxExporter.HiddenStateOutputName].Values;
            session.Step(x, output);
            BoundedComparison.Agree($"step {t + 1}: ours vs ONNX Runtime", output, result[OnnxExporter.OutputName].Values,
                oursBound[(t * n * o)..((t + 1) * n * o)], ortBound[(t * n * o)..((t + 1) * n * o)]);
        }
    }

    private static void AssertExportAgrees(ExportCase c)
    {
        var shape = new RnnShape(c.InputSize, c.HiddenSize, c.OutputSize);
        var model = new RnnModel(shape, (ulong)c.Seed);
        int n = c.BatchSize, T = c.SequenceLength, d = c.InputSize, h = c.HiddenSize, o = c.OutputSize;
        var random = new Random(c.Seed);
        float[] inputs = [.. Enumerable.Range(0, T * n * d).Select(_ => (float)(2 * random.NextDouble() - 1))];
        float[]? initialHidden = c.InitialHidden ? [.. Enumerable.Range(0, n * h).Select(_ => (float)(2 * random.NextDouble() - 1))] : null;
        using var stream = new MemoryStream();
        OnnxExporter.Export(model, stream, new OnnxExportOptions { Opset = c.Opset, OutputSteps = c.Steps, InitialHiddenInput = c.InitialHidden });
        using var onnxRuntime = new OnnxRuntimeModel(stream.ToArray());
        var result = initialHidden is null
            ? onnxRuntime.Run((OnnxExporter.InputName, inputs, [T, n, d]))
            : onnxRuntime.Run((OnnxExporter.InputName, inputs, [T, n, d]), (OnnxExporter.InitialHiddenName, initialHidden, [1, n, h]));

        (float[] ortOutputs, long[] outputShape) = result[OnnxExporter.OutputName];
        (float[] ortHidden, long[] hiddenShape) = result[OnnxExporter.HiddenStateOutputName];
        Assert.Equal(c.Steps == OutputSteps.LastStep ? [n, o] : [T, n, o], outputShape);
        Assert.Equal([1L, n, h], hiddenShape);

        var problem = ElmanProblem.Of(model, inputs, T, n, initialHidden);
        ForwardErrorBound ours = problem.FloatBound(ForwardErrorBound.OursTanhError), ort = problem.FloatBound(ForwardErrorBound.OnnxRuntimeTanhError);
        ForwardErrorBound reference = problem.ReferenceBound();
        double[] expected = c.Steps == OutputSteps.LastStep ? problem.Reference.LastOutput.ToArray() : problem.Reference.Outputs.ToArray();
        float[] oursOutputs = problem.OursOutputs(model, c.Steps);

        BoundedComparison.Within($"ONNX Runtime's O vs the reference ({c})", ortOutputs, expected, ort.Outputs(c.Steps, o), reference.Outputs(c.Steps, o));
        BoundedComparison.Within($"our O vs the reference ({c})", oursOutputs, expected, ours.Outputs(c.Steps, o), reference.Outputs(c.Steps, o));
        BoundedComparison.Agree($"O: ours vs ONNX Runtime ({c})", oursOutputs, ortOutputs, ours.Outputs(c.Steps, o), ort.Outputs(c.Steps, o));
        BoundedComparison.Agree($"Y_h: ours vs ONNX Runtime ({c})", problem.OursHidden(model, T), ortHidden, ours.Hidden(T), ort.Hidden(T));
        BoundedComparison.Within($"ONNX Runtime's Y_h vs the reference ({c})", ortHidden, problem.Reference.HiddenState(T), ort.Hidden(T), reference.Hidden(T));
    }
}
