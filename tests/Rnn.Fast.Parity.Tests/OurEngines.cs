using Rnn.Fast.Reference;

namespace Rnn.Fast.Parity.Tests;

/// <summary>
/// Our implementations that the parity tests hold against libtorch, by name. Adding one is one entry here: a
/// function from a problem and a loss to an <see cref="ElmanRun"/>, and the roundoff of its precision.
/// </summary>
public static class OurEngines
{
    /// <summary>Every engine under test.</summary>
    public static IReadOnlyDictionary<string, OurEngine> All { get; } = new Dictionary<string, OurEngine>
    {
        ["reference"] = new(RunReference, ParityTolerance.DoubleRoundoff),
        ["fast"] = new(RunFast, ParityTolerance.SingleRoundoff),
    };

    /// <summary>The naive reference, in double: forward from the given H_0, the loss, BPTT.</summary>
    public static ElmanRun RunReference(ParityCase problem, LossKind loss)
    {
        double[] targets = problem.Targets(loss);
        ReferenceForwardPass forward = ReferenceRnn.Forward(problem.Shape, problem.Parameters, problem.Inputs,
            problem.SequenceLength, problem.BatchSize, problem.InitialHidden);
        ReferenceGradients gradients = ReferenceRnn.Backward(forward, targets, loss);
        return new ElmanRun(forward.Outputs.ToArray(), ReferenceRnn.Loss(forward, targets, loss),
            gradients.Parameters.ToArray(), gradients.InitialHidden.ToArray(), gradients.Inputs.ToArray());
    }

    /// <summary>
    /// The fast float32 engine on the case's parameters (the same floats the reference widens) and its inputs,
    /// initial state and targets rounded to float: the loss and parameter gradients from
    /// <see cref="RnnWorkspace.ComputeGradients"/>, dH_0 and dX from <see cref="RnnWorkspace.Backward"/> with the loss's
    /// output gradient (2/N)·(O − Y) over the N compared outputs, and every step's outputs from a forward pass.
    /// </summary>
    public static ElmanRun RunFast(ParityCase problem, LossKind loss)
    {
        RnnShape shape = problem.Shape;
        int T = problem.SequenceLength, n = problem.BatchSize, o = shape.OutputSize;
        var model = new RnnModel(shape, ParameterInitialization.CreateUniform(shape, (ulong)problem.Seed));
        float[] inputs = Narrow(problem.Inputs), initialHidden = Narrow(problem.InitialHidden), targets = Narrow(problem.Targets(loss));
        using var workspace = new RnnWorkspace(model);

        var parameterGradients = new float[shape.ParameterCount];
        float value = workspace.ComputeGradients(inputs, T, n, targets, loss, parameterGradients, initialHidden);

        var everyOutput = new float[T * n * o];
        workspace.Forward(inputs, T, n, initialHidden, OutputSteps.EveryStep, everyOutput);

        bool last = loss == LossKind.LastOutputMeanSquaredError;
        var compared = new float[targets.Length];
        workspace.Forward(inputs, T, n, initialHidden, last ? OutputSteps.LastStep : OutputSteps.EveryStep, compared);
        var outputGradients = new float[compared.Length];
        for (int i = 0; i < compared.Length; i++) outputGradients[i] = 2f / compared.Length * (compared[i] - targets[i]);
        var initialHiddenGradient = new float[n * shape.HiddenSize];
        var inputGradient = new float[inputs.Length];
        workspace.Backward(outputGradients, new float[shape.ParameterCount], initialHiddenGradient, inputGradient);

        return new ElmanRun(Widen(everyOutput), value, Widen(parameterGradients), Widen(initialHiddenGradient), Widen(inputGradient));
    }

    private static float[] Narrow(double[] values) => [.. values.Select(v => (float)v)];

    private static double[] Widen(float[] values) => ReferenceRnn.Widen(values);
}
