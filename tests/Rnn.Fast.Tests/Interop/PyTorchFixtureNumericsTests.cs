using System.Globalization;
using System.Text.Json;
using Rnn.Fast.Interop;
using Rnn.Fast.Reference;
using Rnn.Fast.Tests.Engine;

namespace Rnn.Fast.Tests.Interop;

/// <summary>
/// A model imported from real PyTorch's state_dict computes what PyTorch computed with it (the fixtures' saved
/// outputs, every hidden state, h_n, and the gradients of its loss) within a bound derived before the comparison:
/// each implementation's error against the exact arithmetic of the imported model, bounded by
/// <see cref="EngineErrorBounds"/> with that implementation's <see cref="EngineArithmetic"/>, summed.
/// </summary>
/// <remarks>
/// <para>The bounds: |ours − torch| ≤ |ours − X| + |X − torch|, where X is the exact result of the imported model
/// (whose bh is the float32 sum of torch's two biases). Ours: <see cref="EngineArithmetic.RnnFast"/>. Torch's float32:
/// <see cref="EngineArithmetic.TorchSingle"/> (two bias terms in its sum, a tanh within 2 ulps, three roundings in
/// its tanh derivative), with its model differing from X by the rounding of the bias sum:
/// |(bias_ih + bias_hh) − fl(bias_ih + bias_hh)| per unit, computed exactly here (plus 2⁻⁵³ of the sum for the double
/// addition that computes it), entering the pre-activation on top of torch's rounding. The reference (double) and
/// torch's float64 outputs get the same with double's roundoff, so the float64 comparison is dominated by that one
/// float32 rounding of the bias sum. Each comparison allows 10⁻⁶ of its bound for the double reference's own error in
/// the magnitudes the bounds are computed from, as the engine tests do.</para>
/// <para>Torch's own float32 results are also checked against the bound derived for them alone (against the
/// reference): if torch computed less accurately than <see cref="EngineArithmetic.TorchSingle"/> says, that check fails
/// first and says so, rather than a comparison of ours against torch failing for a reason of torch's.</para>
/// <para>How tight: on these fixtures the largest error is about a third of its bound in the float64 comparisons
/// (where one float32 rounding of the bias sum is the whole difference) and about a fiftieth in float32, where the
/// bounds are worst cases over rounding errors that mostly cancel. A real mistake (a bias left out, a missing
/// transpose, a step dropped) changes values by 10⁻² to 1, far beyond every bound here.</para>
/// </remarks>
public sealed class PyTorchFixtureNumericsTests
{
    private const double ReferenceSlack = 1e-6;

    public static TheoryData<string> SupportedCases => PyTorchFixtures.CaseNames("supported");

    [Theory]
    [MemberData(nameof(SupportedCases))]
    public void OutputsAndHiddenStatesMatchTorchsWithinTheDerivedBounds(string name)
    {
        var fixture = new FixtureCase(name);
        int T = fixture.T, n = fixture.N, h = fixture.Shape.HiddenSize, o = fixture.Shape.OutputSize;
        OutputSteps steps = fixture.Steps;
        ReferenceForwardPass reference = fixture.Reference();
        var ours = new EngineErrorBounds(reference);
        EngineErrorBounds torch32 = fixture.TorchBounds(reference, EngineArithmetic.TorchSingle);
        EngineErrorBounds torch64 = fixture.TorchBounds(reference, EngineArithmetic.TorchDouble);
        var referenceDouble = new EngineErrorBounds(reference, EngineArithmetic.ReferenceDouble, null, null);

        using var workspace = new RnnWorkspace(fixture.Import.Model);
        var outputs = new float[(steps == OutputSteps.LastStep ? 1 : T) * n * o];
        workspace.Forward(fixture.Inputs, T, n, fixture.InitialHidden, steps, outputs);
        double[] torchOutputs = Widen(fixture.TimeMajor(PyTorchFixtures.ReadF32($"{name}.o.f32"), o, steps));
        double[] torchOutputs64 = fixture.TimeMajor(PyTorchFixtures.ReadF64($"{name}.o.f64"), o, steps);
        ReadOnlySpan<double> referenceOutputs = steps == OutputSteps.LastStep ? reference.LastOutput : reference.Outputs;

        AssertWithin($"{name}: torch's float32 o against the reference", torchOutputs, referenceOutputs,
            Sum(torch32.Outputs(steps), referenceDouble.Outputs(steps)));
        AssertWithin($"{name}: our o against torch's float32 o", Widen(outputs), torchOutputs,
            Sum(ours.Outputs(steps), torch32.Outputs(steps)));
        AssertWithin($"{name}: the reference's o against torch's float64 o", referenceOutputs.ToArray(), torchOutputs64,
            Sum(referenceDouble.Outputs(steps), torch64.Outputs(steps)));

        // Every hidden state (torch's y) and the last one (h_n): the row bounds are bounds on 2-norms, so on every element.
        double[] torchHidden = Widen(fixture.TimeMajor(PyTorchFixtures.ReadF32($"{name}.y.f32"), h, OutputSteps.EveryStep));
        double[] torchLast = Widen(PyTorchFixtures.ReadF32($"{name}.h_n.f32"));
        var state = new float[n * h];
        for (int t = 1; t <= T; t++)
        {
            workspace.CopyHiddenState(t, state);
            var bound = new double[n * h];
            for (int i = 0; i < bound.Length; i++) bound[i] = ours.HiddenBound[t * n + i / h] + torch32.HiddenBound[t * n + i / h];
            AssertWithin($"{name}: our H_{t} against torch's y[{t - 1}]", Widen(state), torchHidden.AsSpan((t - 1) * n * h, n * h).ToArray(), bound);
            if (t == T) AssertWithin($"{name}: our H_T against torch's h_n", Widen(state), torchLast, bound);
        }
    }

    [Theory]
    [MemberData(nameof(SupportedCases))]
    public void GradientsAfterImportMatchTorchsWithinTheDerivedBounds(string name)
    {
        var fixture = new FixtureCase(name);
        RnnShape shape = fixture.Shape;
        int T = fixture.T, n = fixture.N;
        OutputSteps steps = fixture.Steps;
        LossKind loss = steps == OutputSteps.LastStep ? LossKind.LastOutputMeanSquaredError : LossKind.AllOutputsMeanSquaredError;
        float[] targets = fixture.TimeMajor(PyTorchFixtures.ReadF32($"{name}.target.f32"), shape.OutputSize, steps);
        double[] wideTargets = Widen(targets);
        ReferenceForwardPass reference = fixture.Reference();
        ReferenceGradients exact = ReferenceRnn.Backward(reference, wideTargets, loss);

        // The bounds, each from its implementation's loss and output-gradient bound.
        ReadOnlySpan<double> referenceOutputs = steps == OutputSteps.LastStep ? reference.LastOutput : reference.Outputs;
        var outputGradients = new double[targets.Length];
        for (int i = 0; i < targets.Length; i++) outputGradients[i] = 2.0 / targets.Length * (referenceOutputs[i] - wideTargets[i]);
        (double[] Parameters, double[] InitialHidden, double[] Inputs) Bounds(EngineErrorBounds bounds) =>
            bounds.Gradients(outputGradients, bounds.Loss(wideTargets, loss).OutputGradients, steps);
        var ours = Bounds(new EngineErrorBounds(reference));
        var torch32 = Bounds(fixture.TorchBounds(reference, EngineArithmetic.TorchSingle));
        var torch64 = Bounds(fixture.TorchBounds(reference, EngineArithmetic.TorchDouble));
        var referenceDouble = Bounds(new EngineErrorBounds(reference, EngineArithmetic.ReferenceDouble, null, null));

        // Ours: the loss's parameter gradients, and dX, dH_0 from a backward pass with the loss's output gradient.
        using var workspace = new RnnWorkspace(fixture.Import.Model);
        var parameterGradients = new float[shape.ParameterCount];
        workspace.ComputeGradients(fixture.Inputs, T, n, targets, loss, parameterGradients, fixture.InitialHidden);
        var outputs = new float[targets.Length];
        workspace.Forward(fixture.Inputs, T, n, fixture.InitialHidden, steps, outputs);
        var floatOutputGradients = new float[targets.Length];
        for (int i = 0; i < targets.Length; i++) floatOutputGradients[i] = 2f / targets.Length * (outputs[i] - targets[i]);
        var initialHiddenGradient = new float[n * shape.HiddenSize];
        var inputGradient = new float[fixture.Inputs.Length];
        workspace.Backward(floatOutputGradients, new float[shape.ParameterCount], initialHiddenGradient, inputGradient);

        double[] torch = TorchLayout.Gradients(PyTorchFixtures.ReadSafetensors($"{name}.grad.safetensors"), shape, out double[] torchRecurrentBias);
        double[] torchDouble = TorchLayout.Gradients(PyTorchFixtures.ReadSafetensors($"{name}.grad.F64.safetensors"), shape, out double[] torchDoubleRecurrentBias);
        double[] ourGradients = Widen(parameterGradients);
        foreach ((string part, int offset, int length) in Parts(shape))
        {
            // nn.RNN(bias=False) has no bias gradients to compare (our bh stays in the model, at zero).
            if (part == "bh" && !fixture.Import.HasRecurrentBias) continue;
            double[] Slice(double[] values) => values.AsSpan(offset, length).ToArray();
            AssertWithin($"{name}: torch's float32 d{part} against the reference", Slice(torch), Slice(exact.Parameters.ToArray()),
                Sum(Slice(torch32.Parameters), Slice(referenceDouble.Parameters)));
            AssertWithin($"{name}: our d{part} against torch's float32 one", Slice(ourGradients), Slice(torch),
                Sum(Slice(ours.Parameters), Slice(torch32.Parameters)));
            AssertWithin($"{name}: the reference's d{part} against torch's float64 one", Slice(exact.Parameters.ToArray()), Slice(torchDouble),
                Sum(Slice(referenceDouble.Parameters), Slice(torch64.Parameters)));
        }

        // bias_hh_l0's gradient equals bias_ih_l0's in exact arithmetic, so both equal our dbh within the same bounds.
        if (fixture.Import.HasRecurrentBias)
        {
            double[] Bh(double[] values) => shape.Bh<double>(values).ToArray();
            AssertWithin($"{name}: our dbh against torch's float32 bias_hh_l0 gradient", Bh(ourGradients), torchRecurrentBias,
                Sum(Bh(ours.Parameters), Bh(torch32.Parameters)));
            AssertWithin($"{name}: the reference's dbh against torch's float64 bias_hh_l0 gradient", Bh(exact.Parameters.ToArray()), torchDoubleRecurrentBias,
                Sum(Bh(referenceDouble.Parameters), Bh(torch64.Parameters)));
        }

        double[] torchInputGradient = Widen(fixture.TimeMajor(PyTorchFixtures.ReadF32($"{name}.grad_x.f32"), shape.InputSize, OutputSteps.EveryStep));
        AssertWithin($"{name}: our dX against torch's", Widen(inputGradient), torchInputGradient, Sum(ours.Inputs, torch32.Inputs));
        AssertWithin($"{name}: our dH_0 against torch's", Widen(initialHiddenGradient), Widen(PyTorchFixtures.ReadF32($"{name}.grad_h0.f32")),
            Sum(ours.InitialHidden, torch32.InitialHidden));
        AssertWithin($"{name}: the reference's dX against torch's float64 one", exact.Inputs.ToArray(),
            fixture.TimeMajor(PyTorchFixtures.ReadF64($"{name}.grad_x.f64"), shape.InputSize, OutputSteps.EveryStep),
            Sum(referenceDouble.Inputs, torch64.Inputs));
    }

    private static (string Part, int Offset, int Length)[] Parts(RnnShape s) =>
    [
        ("Wxh", s.WxhOffset, s.WxhLength), ("Whh", s.WhhOffset, s.WhhLength), ("bh", s.BhOffset, s.BhLength),
        ("Who", s.WhoOffset, s.WhoLength), ("bo", s.BoOffset, s.BoLength),
    ];

    private static double[] Sum(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var sum = new double[a.Length];
        for (int i = 0; i < sum.Length; i++) sum[i] = a[i] + b[i];
        return sum;
    }

    private static double[] Widen(float[] values) => ReferenceRnn.Widen(values);

    private static void AssertWithin(string context, double[] actual, ReadOnlySpan<double> expected, double[] bound)
    {
        Assert.True(actual.Length == expected.Length, $"{context}: {actual.Length} values against {expected.Length}.");
        Assert.True(bound.Length == expected.Length, $"{context}: {bound.Length} bounds for {expected.Length} values.");
        for (int i = 0; i < actual.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]), allowed = bound[i] * (1 + ReferenceSlack);
            if (!(error <= allowed))
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture,
                    $"{context}: element {i} is {actual[i]:R}, expected {expected[i]:R}; error {error:G4} exceeds the derived bound {allowed:G4}."));
            }
        }
    }

    /// <summary>One supported fixture: the imported model, the inputs in our time-major layout, and the case's sizes.</summary>
    private sealed class FixtureCase
    {
        private readonly bool _batchFirst;

        public FixtureCase(string name)
        {
            JsonElement manifest = PyTorchFixtures.Case(name);
            Import = PyTorchSafetensors.Load(PyTorchFixtures.File(manifest.GetProperty("state_dict").GetString()!));
            T = manifest.GetProperty("T").GetInt32();
            N = manifest.GetProperty("n").GetInt32();
            _batchFirst = manifest.GetProperty("batch_first").GetBoolean();
            Steps = manifest.GetProperty("output").GetString() == "last_step" ? OutputSteps.LastStep : OutputSteps.EveryStep;
            Inputs = TimeMajor(PyTorchFixtures.ReadF32($"{name}.x.f32"), Shape.InputSize, OutputSteps.EveryStep);
            InitialHidden = manifest.GetProperty("h0_input").GetBoolean() ? PyTorchFixtures.ReadF32($"{name}.h0.f32") : [];
            Biases = PyTorchFixtures.ReadSafetensors(manifest.GetProperty("state_dict").GetString()!);
        }

        public PyTorchImport Import { get; }

        public RnnShape Shape => Import.Shape;

        public int T { get; }

        public int N { get; }

        public OutputSteps Steps { get; }

        public float[] Inputs { get; }

        public float[] InitialHidden { get; }

        private Dictionary<string, RawTensor> Biases { get; }

        /// <summary>The double reference on the imported model's parameters, inputs and H_0, widened exactly.</summary>
        public ReferenceForwardPass Reference() => ReferenceRnn.Forward(Shape, Widen(Import.Model.Parameters.ToArray()), Widen(Inputs), T, N,
            InitialHidden.Length == 0 ? default : Widen(InitialHidden));

        /// <summary>
        /// Torch's bounds against the reference: its arithmetic, |bias_ih| + |bias_hh| as the bias terms of its sum, and
        /// the distance of its bias sum from our bh as a perturbation (none without biases).
        /// </summary>
        public EngineErrorBounds TorchBounds(ReferenceForwardPass reference, EngineArithmetic arithmetic)
        {
            if (!Biases.TryGetValue("rnn.bias_ih_l0", out RawTensor? inputBias)) return new EngineErrorBounds(reference, arithmetic, null, null);
            float[] a = inputBias.Singles(), b = Biases["rnn.bias_hh_l0"].Singles();
            ReadOnlySpan<float> bh = Shape.Bh(Import.Model.Parameters);
            var magnitudes = new double[a.Length];
            var perturbation = new double[a.Length];
            for (int j = 0; j < a.Length; j++)
            {
                double exactSum = (double)a[j] + b[j];
                magnitudes[j] = Math.Abs(a[j]) + Math.Abs(b[j]);
                perturbation[j] = Math.Abs(exactSum - bh[j]) + EngineArithmetic.DoubleRoundoff * Math.Abs(exactSum);
            }

            return new EngineErrorBounds(reference, arithmetic, magnitudes, perturbation);
        }

        /// <summary>A [T, n, width] array in our time-major order (batch_first files hold [n, T, width]); for the
        /// last step only, [n, width] as it is.</summary>
        public T2[] TimeMajor<T2>(T2[] values, int width, OutputSteps steps)
        {
            if (!_batchFirst || steps == OutputSteps.LastStep) return values;
            var result = new T2[values.Length];
            for (int b = 0; b < N; b++)
            {
                for (int t = 0; t < T; t++) Array.Copy(values, (b * T + t) * width, result, (t * N + b) * width, width);
            }

            return result;
        }
    }
}
