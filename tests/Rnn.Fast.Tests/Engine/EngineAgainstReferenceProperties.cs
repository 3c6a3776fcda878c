using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Rnn.Fast.Kernels;
using Rnn.Fast.Reference;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Engine;

/// <summary>
/// The fast engine on every instruction-set path this process supports, against the double-precision reference run
/// on the same (widened) float parameters and inputs: hidden states, outputs, every gradient, the loss, and the
/// parameters after gradient-descent steps, each within the bound <see cref="EngineErrorBounds"/> derives.
/// </summary>
/// <remarks>
/// Case count: 200 random problems per property (enough to hit every edge size of EngineCase several times), each run on every supported path (four on an
/// AVX-512 machine). The sizes reach n = 8, d = 40, h = 70, T = 20, where one reference pass and the bound
/// propagation cost O(T·n·h²) ≈ 10⁶ double operations: each property takes a few seconds on the 2-core machine.
/// </remarks>
public sealed class EngineAgainstReferenceProperties
{
    private const int Cases = 200;
    private const float LearningRate = 0.1f;
    private const int TrainingSteps = 2;

    /// <summary>The double reference's own rounding (≈ K·2⁻⁵³) is allowed as a relative slack on each bound.</summary>
    private const double ReferenceSlack = 1e-6;

    private static readonly Config Config = FsCheck.Config.QuickThrowOnFailure.WithMaxTest(Cases);

    [Fact]
    public void HiddenStatesAndOutputsAreWithinTheDerivedBoundOfTheReference()
    {
        Check.One(Config, Prop.ForAll(EngineCase.Arbitrary, (EngineCase c) =>
        {
            float[] parameters = c.Parameters(), inputs = c.Inputs(), initialHidden = c.InitialHidden();
            ReferenceForwardPass reference = ReferenceForward(c, parameters, inputs, initialHidden);
            var bounds = new EngineErrorBounds(reference);
            int n = c.BatchSize, h = c.HiddenSize, T = c.SequenceLength;
            foreach (InstructionSet path in KernelDispatch.Supported)
            {
                using var workspace = new RnnWorkspace(c.Model(path));
                var last = new float[n * c.OutputSize];
                workspace.Forward(inputs, T, n, initialHidden, OutputSteps.LastStep, last);
                AssertWithin(last, reference.LastOutput, bounds.Outputs(OutputSteps.LastStep), $"{path} O_T of {c}");

                var every = new float[T * n * c.OutputSize];
                workspace.Forward(inputs, T, n, initialHidden, OutputSteps.EveryStep, every);
                AssertWithin(every, reference.Outputs, bounds.OutputBound, $"{path} O_1..O_T of {c}");

                var state = new float[n * h];
                for (int t = 0; t <= T; t++)
                {
                    workspace.CopyHiddenState(t, state);
                    var rowBounds = new double[n * h];
                    for (int i = 0; i < rowBounds.Length; i++) rowBounds[i] = bounds.HiddenBound[t * n + i / h];
                    AssertWithin(state, reference.HiddenState(t), rowBounds, $"{path} H_{t} of {c}");
                }
            }
        }));
    }

    [Fact]
    public void EveryGradientOfBackwardIsWithinTheDerivedBoundOfTheReference()
    {
        Check.One(Config, Prop.ForAll(EngineCase.Arbitrary, (EngineCase c) =>
        {
            float[] parameters = c.Parameters(), inputs = c.Inputs(), initialHidden = c.InitialHidden();
            LossKind loss = c.Loss;
            OutputSteps steps = StepsOf(loss);
            float[] outputGradients = c.OutputGradients(loss);
            ReferenceForwardPass reference = ReferenceForward(c, parameters, inputs, initialHidden);

            // The reference takes targets, not ∂L/∂O: Y = O − G/s makes its ∂L/∂O = s·(O − Y) equal G (s = 2/N),
            // up to double rounding of about 2⁻⁵¹·(|G| + s·|O|), allowed for below.
            ReadOnlySpan<double> outputs = steps == OutputSteps.LastStep ? reference.LastOutput : reference.Outputs;
            double scale = 2.0 / outputGradients.Length;
            var targets = new double[outputGradients.Length];
            var gradientBound = new double[outputGradients.Length];
            for (int i = 0; i < targets.Length; i++)
            {
                targets[i] = outputs[i] - outputGradients[i] / scale;
                gradientBound[i] = 1e-15 * (Math.Abs(outputGradients[i]) + scale * Math.Abs(outputs[i]));
            }

            ReferenceGradients expected = ReferenceRnn.Backward(reference, targets, loss);
            var (parameterBound, initialHiddenBound, inputBound) =
                new EngineErrorBounds(reference).Gradients(ReferenceRnn.Widen(outputGradients), gradientBound, steps);
            int n = c.BatchSize, T = c.SequenceLength;
            foreach (InstructionSet path in KernelDispatch.Supported)
            {
                using var workspace = new RnnWorkspace(c.Model(path));
                workspace.Forward(inputs, T, n, initialHidden, steps, new float[outputGradients.Length]);
                var gradients = new float[c.Shape.ParameterCount];
                var dH0 = new float[n * c.HiddenSize];
                var dX = new float[inputs.Length];
                workspace.Backward(outputGradients, gradients, dH0, dX);

                AssertParameterGradients(c.Shape, gradients, expected.Parameters, parameterBound, $"{path} {loss} {c}");
                AssertWithin(dH0, expected.InitialHidden, initialHiddenBound, $"{path} dH_0 of {c}");
                AssertWithin(dX, expected.Inputs, inputBound, $"{path} dX of {c}");
            }
        }));
    }

    [Fact]
    public void TrainingStepsGiveTheReferencesLossAndGradientStepWithinTheDerivedBound()
    {
        // Each step is checked from the engine's own current parameters p̂: the reference computes L and g at p̂, and
        // the engine's p̂' = fma(ĝ, −lr, p̂) must lie within lr·bound(g) + u·|p̂'|/(1 − u) of p̂ − lr·g.
        Check.One(Config, Prop.ForAll(EngineCase.Arbitrary, (EngineCase c) =>
        {
            float[] inputs = c.Inputs(), initialHidden = c.InitialHidden();
            LossKind loss = c.Loss;
            float[] targets = c.Targets(loss);
            double[] wideTargets = ReferenceRnn.Widen(targets);
            int n = c.BatchSize, T = c.SequenceLength;
            foreach (InstructionSet path in KernelDispatch.Supported)
            {
                RnnModel model = c.Model(path);
                using var workspace = new RnnWorkspace(model);
                for (int step = 0; step < TrainingSteps; step++)
                {
                    float[] before = model.Parameters.ToArray();
                    ReferenceForwardPass reference = ReferenceForward(c, before, inputs, initialHidden);
                    double expectedLoss = ReferenceRnn.Loss(reference, wideTargets, loss);
                    ReferenceGradients gradients = ReferenceRnn.Backward(reference, wideTargets, loss);
                    var bounds = new EngineErrorBounds(reference);
                    var (lossBound, outputGradientBound) = bounds.Loss(wideTargets, loss);
                    ReadOnlySpan<double> outputs = StepsOf(loss) == OutputSteps.LastStep ? reference.LastOutput : reference.Outputs;
                    var outputGradients = new double[targets.Length];
                    for (int i = 0; i < targets.Length; i++) outputGradients[i] = 2.0 / targets.Length * (outputs[i] - wideTargets[i]);
                    double[] gradientBound = bounds.Gradients(outputGradients, outputGradientBound, StepsOf(loss)).Parameters;

                    float actualLoss = workspace.TrainStep(inputs, T, n, targets, loss, LearningRate, initialHidden);

                    string context = $"{path} step {step} {loss} {c}";
                    AssertWithin([actualLoss], [expectedLoss], [lossBound], $"loss, {context}");
                    ReadOnlySpan<float> after = model.Parameters;
                    var expectedAfter = new double[after.Length];
                    var afterBound = new double[after.Length];
                    for (int i = 0; i < after.Length; i++)
                    {
                        expectedAfter[i] = before[i] - LearningRate * gradients.Parameters[i];
                        afterBound[i] = LearningRate * gradientBound[i] + FloatTolerance.UnitRoundoff * Math.Abs(after[i]) / (1 - FloatTolerance.UnitRoundoff);
                    }

                    AssertParameterGradients(c.Shape, after.ToArray(), expectedAfter, afterBound, $"parameters after {context}");
                }
            }
        }));
    }

    internal static OutputSteps StepsOf(LossKind loss) =>
        loss == LossKind.LastOutputMeanSquaredError ? OutputSteps.LastStep : OutputSteps.EveryStep;

    private static ReferenceForwardPass ReferenceForward(EngineCase c, float[] parameters, float[] inputs, float[] initialHidden) =>
        ReferenceRnn.Forward(c.Shape, ReferenceRnn.Widen(parameters), ReferenceRnn.Widen(inputs), c.SequenceLength, c.BatchSize,
            ReferenceRnn.Widen(initialHidden));

    /// <summary>Checks each named part of a parameter-shaped buffer, so a failure names Wxh, Whh, bh, Who or bo.</summary>
    private static void AssertParameterGradients(RnnShape shape, float[] actual, ReadOnlySpan<double> expected, ReadOnlySpan<double> bound, string context)
    {
        AssertWithin(shape.Wxh<float>(actual), shape.Wxh(expected), shape.Wxh(bound), $"Wxh part, {context}");
        AssertWithin(shape.Whh<float>(actual), shape.Whh(expected), shape.Whh(bound), $"Whh part, {context}");
        AssertWithin(shape.Bh<float>(actual), shape.Bh(expected), shape.Bh(bound), $"bh part, {context}");
        AssertWithin(shape.Who<float>(actual), shape.Who(expected), shape.Who(bound), $"Who part, {context}");
        AssertWithin(shape.Bo<float>(actual), shape.Bo(expected), shape.Bo(bound), $"bo part, {context}");
    }

    /// <summary>|actual[i] − expected[i]| ≤ bound[i]·(1 + <see cref="ReferenceSlack"/>) for every i.</summary>
    internal static void AssertWithin(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, ReadOnlySpan<double> bound, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            double allowed = bound[i] * (1 + ReferenceSlack);
            if (!(error <= allowed))
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture,
                    $"{context}: element {i} is {actual[i]:R}, the reference {expected[i]:R}; error {error:G4} exceeds the derived bound {allowed:G4}."));
            }
        }
    }
}
