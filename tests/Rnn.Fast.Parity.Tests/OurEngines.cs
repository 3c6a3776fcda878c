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
}
