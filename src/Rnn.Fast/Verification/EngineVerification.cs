using Rnn.Fast.Reference;

namespace Rnn.Fast;

/// <summary>
/// Runs the fast engine and the double-precision reference (<see cref="ReferenceRnn"/>) on the same model and data
/// and reports how far apart they are: a check users can run on their own shapes and weights.
/// </summary>
public static class EngineVerification
{
    /// <summary>
    /// Compares every step's outputs, the loss, the gradients of every parameter, of H_0 and of X. The reference
    /// runs on the model's float parameters and the inputs widened exactly to double, so the differences are the fast
    /// engine's float rounding (and its tanh approximation) alone.
    /// </summary>
    /// <param name="model">The model; not changed.</param>
    /// <param name="inputs">X_1..X_T: T·n·d values, time-major.</param>
    /// <param name="sequenceLength">T, at least 1.</param>
    /// <param name="batchSize">n, at least 1.</param>
    /// <param name="targets">n·o or T·n·o values, as <paramref name="loss"/> needs.</param>
    /// <param name="loss">The loss whose gradients are compared.</param>
    /// <param name="initialHidden">H_0, n·h values; empty (the default) means zeros.</param>
    /// <returns>One comparison per tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">T or n is below 1, or the buffers would exceed the largest array.</exception>
    /// <exception cref="ArgumentException">A buffer has the wrong length, or <paramref name="loss"/> is not defined.</exception>
    /// <exception cref="InvalidOperationException">Another thread updated the model during the comparison, or was
    /// updating it: the fast engine and the reference could have seen different weights, so no report is returned.</exception>
    public static VerificationReport Compare(RnnModel model, ReadOnlySpan<float> inputs, int sequenceLength, int batchSize,
        ReadOnlySpan<float> targets, LossKind loss, ReadOnlySpan<float> initialHidden = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var workspace = new RnnWorkspace(model);
        int version = model.BeginRead();
        VerificationReport report = CompareInWorkspace(workspace, inputs, sequenceLength, batchSize, targets, loss, initialHidden);
        model.EndRead(version);
        return report;
    }

    /// <summary>
    /// <see cref="Compare(RnnModel, ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, LossKind, ReadOnlySpan{float})"/>
    /// in a given workspace: ONE forward pass writes every step's outputs (the loss compares the last step's or all of
    /// them), and ONE backward pass gives every gradient, those of H_0 and X included.
    /// </summary>
    internal static VerificationReport CompareInWorkspace(RnnWorkspace workspace, ReadOnlySpan<float> inputs, int sequenceLength, int batchSize,
        ReadOnlySpan<float> targets, LossKind loss, ReadOnlySpan<float> initialHidden)
    {
        RnnModel model = workspace.Model;
        RnnShape shape = model.Shape;
        int T = sequenceLength, n = batchSize, d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize;
        workspace.RequireBatch(inputs, T, n, initialHidden);
        MeanSquaredErrorLoss.RequireTargets(targets, T, n, o, loss);

        // The forward pass records the outputs the loss compares, for the backward pass; it writes every step's. The
        // last step's rows of every step's outputs are the same chains, so the same bits, as the last step's alone.
        OutputSteps compared = MeanSquaredErrorLoss.ComparedOutputs(loss);
        var outputs = new float[T * n * o];
        workspace.RunForward(inputs, T, n, initialHidden, compared);
        workspace.WriteOutputs(OutputSteps.EveryStep, outputs);
        ReadOnlySpan<float> lossOutputs = compared == OutputSteps.LastStep ? outputs.AsSpan((T - 1) * n * o) : outputs;
        var outputGradients = new float[targets.Length];
        float fastLoss = MeanSquaredErrorLoss.LossAndOutputGradients(lossOutputs, targets, outputGradients, model.InstructionSet);

        var parameterGradients = new float[shape.ParameterCount];
        var initialHiddenGradients = new float[n * h];
        var inputGradients = new float[inputs.Length];
        workspace.RunBackward(outputGradients, parameterGradients, initialHiddenGradients, inputGradients);

        double[] wideTargets = ReferenceRnn.Widen(targets);
        ReferenceForwardPass forward = ReferenceRnn.Forward(shape, ReferenceRnn.Widen(model.Parameters), ReferenceRnn.Widen(inputs), T, n,
            ReferenceRnn.Widen(initialHidden));
        double referenceLoss = ReferenceRnn.Loss(forward, wideTargets, loss);
        ReferenceGradients gradients = ReferenceRnn.Backward(forward, wideTargets, loss);

        ReadOnlySpan<float> g = parameterGradients;
        ReadOnlySpan<double> r = gradients.Parameters;
        TensorComparison[] tensors =
        [
            CompareTensor("outputs", [T, n, o], outputs, forward.Outputs),
            CompareTensor("loss", [1], [fastLoss], [referenceLoss]),
            CompareTensor("dWxh", [d, h], shape.Wxh(g), shape.Wxh(r)),
            CompareTensor("dWhh", [h, h], shape.Whh(g), shape.Whh(r)),
            CompareTensor("dbh", [h], shape.Bh(g), shape.Bh(r)),
            CompareTensor("dWho", [h, o], shape.Who(g), shape.Who(r)),
            CompareTensor("dbo", [o], shape.Bo(g), shape.Bo(r)),
            CompareTensor("dH_0", [n, h], initialHiddenGradients, gradients.InitialHidden),
            CompareTensor("dX", [T, n, d], inputGradients, gradients.Inputs),
        ];
        return new VerificationReport(shape, T, n, loss, tensors);
    }

    /// <summary>The largest absolute difference, where it is, and the reference's largest magnitude.</summary>
    internal static TensorComparison CompareTensor(string name, int[] dimensions, ReadOnlySpan<float> fast, ReadOnlySpan<double> reference)
    {
        if (fast.Length != reference.Length)
        {
            throw new ArgumentException($"{name}: the fast tensor holds {fast.Length} values but the reference {reference.Length}.", nameof(fast));
        }

        double worst = 0, magnitude = 0;
        int worstIndex = 0;
        for (int i = 0; i < fast.Length; i++)
        {
            double error = Math.Abs(fast[i] - reference[i]);
            // NaN anywhere is the worst possible disagreement: report it, never hide it behind a comparison that is false.
            if (double.IsNaN(error)) error = double.PositiveInfinity;
            if (error > worst)
            {
                worst = error;
                worstIndex = i;
            }

            magnitude = Math.Max(magnitude, Math.Abs(reference[i]));
        }

        return new TensorComparison(name, dimensions, worst, worstIndex, fast.IsEmpty ? 0 : fast[worstIndex],
            reference.IsEmpty ? 0 : reference[worstIndex], magnitude);
    }
}
