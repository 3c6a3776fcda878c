using Rnn.Fast.Kernels;

namespace Rnn.Fast;

/// <summary>
/// The two training losses of <see cref="LossKind"/>, both mean squared errors: which outputs they compare, how many
/// targets they take, and the loss with its gradient ∂L/∂O.
/// </summary>
internal static class MeanSquaredErrorLoss
{
    /// <summary>The outputs <paramref name="loss"/> compares: the last step's, or every step's.</summary>
    public static OutputSteps ComparedOutputs(LossKind loss) =>
        loss == LossKind.LastOutputMeanSquaredError ? OutputSteps.LastStep : OutputSteps.EveryStep;

    /// <summary>
    /// Throws unless <paramref name="targets"/> holds n·o values (<see cref="LossKind.LastOutputMeanSquaredError"/>) or
    /// T·n·o (<see cref="LossKind.AllOutputsMeanSquaredError"/>), or when <paramref name="loss"/> is not defined.
    /// </summary>
    public static void RequireTargets(ReadOnlySpan<float> targets, int T, int n, int o, LossKind loss)
    {
        switch (loss)
        {
            case LossKind.LastOutputMeanSquaredError:
                EngineArguments.RequireLength(targets, nameof(targets), "n·o", [n, o], " for " + nameof(LossKind.LastOutputMeanSquaredError));
                break;
            case LossKind.AllOutputsMeanSquaredError:
                EngineArguments.RequireLength(targets, nameof(targets), "T·n·o", [T, n, o], " for " + nameof(LossKind.AllOutputsMeanSquaredError));
                break;
            default:
                throw new ArgumentException($"{loss} is not a defined {nameof(LossKind)}.", nameof(loss));
        }
    }

    /// <summary>
    /// The mean squared error and its gradient: D = O − Y (one rounding each, fma(Y, −1, O)), L = (Σ D²)/N with the
    /// fixed summation tree of <see cref="Reductions.SquaredNorm(ReadOnlySpan{float})"/>, and ∂L/∂O = (2/N)·D,
    /// where N is the number of targets (<see cref="LossKind"/>'s mean reduction).
    /// </summary>
    /// <param name="outputs">O, as many values as <paramref name="targets"/>.</param>
    /// <param name="targets">Y.</param>
    /// <param name="outputGradients">∂L/∂O; overwritten. It may not overlap the other two.</param>
    /// <param name="path">The kernel path.</param>
    /// <returns>L.</returns>
    public static float LossAndOutputGradients(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, Span<float> outputGradients,
        InstructionSet path)
    {
        outputs.CopyTo(outputGradients);
        VectorArithmetic.AddScaled(targets, -1f, outputGradients, path);
        float sumOfSquares = Reductions.SquaredNorm(outputGradients, path);
        float count = outputGradients.Length;
        VectorArithmetic.Scale(outputGradients, 2f / count, outputGradients, path);
        return sumOfSquares / count;
    }
}
