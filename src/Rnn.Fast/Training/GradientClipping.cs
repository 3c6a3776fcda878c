using Rnn.Fast.Kernels;

namespace Rnn.Fast;

/// <summary>Gradient clipping by global norm and by value, for callers of <see cref="RnnWorkspace.ComputeGradients"/> with their own optimizer.</summary>
public static class GradientClipping
{
    /// <summary>The small constant PyTorch's <c>clip_grad_norm_</c> adds to the norm before dividing.</summary>
    public const double NormEpsilon = 1e-6;

    /// <summary>
    /// Scales <paramref name="gradients"/> in place so their Euclidean norm is at most about
    /// <paramref name="maxNorm"/>, with the semantics of PyTorch's <c>clip_grad_norm_(parameters, max_norm)</c>:
    /// N = ‖g‖₂, and when <c>c = maxNorm / (N + 1e−6)</c> is below 1, every g_i becomes <c>g_i·(float)c</c>.
    /// </summary>
    /// <remarks>
    /// N is accumulated in double over eight fixed partial sums (no
    /// overflow, the same bits on every path) and c is computed in double and rounded once to float, so each clipped
    /// gradient carries at most 1.5 ulp of float error beyond the exact scaling. Non-finite gradients: a NaN makes N
    /// NaN and the gradients are left as they are (PyTorch would make them all NaN); an infinity makes c = 0.
    /// To refuse such a step instead, use <see cref="TrainingOptions.GuardNonFinite"/>. Allocates nothing.
    /// </remarks>
    /// <param name="gradients">Every parameter gradient (for instance the whole <see cref="RnnShape"/> layout); scaled in place.</param>
    /// <param name="maxNorm">The largest norm allowed: finite and above 0.</param>
    /// <returns>N, the norm before clipping.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not finite or not above 0.</exception>
    public static double ClipByGlobalNorm(Span<float> gradients, float maxNorm)
    {
        if (!(float.IsFinite(maxNorm) && maxNorm > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum gradient norm must be finite and above 0.");
        }
        return ClipByGlobalNorm(gradients, maxNorm, KernelDispatch.Active).Norm;
    }

    internal static (double Norm, bool Clipped) ClipByGlobalNorm(Span<float> gradients, float maxNorm, InstructionSet path)
    {
        double norm = Math.Sqrt(Reductions.SquaredNormInDouble(gradients, path));
        double factor = maxNorm / (norm + NormEpsilon);
        if (!(factor < 1)) return (norm, false);
        VectorArithmetic.Scale(gradients, (float)factor, gradients, path);
        return (norm, true);
    }

    /// <summary>
    /// Clamps every gradient to [−<paramref name="maxValue"/>, <paramref name="maxValue"/>] in place, as PyTorch's
    /// <c>clip_grad_value_(parameters, clip_value)</c> does; a NaN stays NaN. No rounding: each result is the gradient
    /// or ±maxValue, the same bits on every path. Allocates nothing.
    /// </summary>
    /// <param name="gradients">Every parameter gradient; clamped in place.</param>
    /// <param name="maxValue">The largest magnitude allowed: finite and above 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxValue"/> is not finite or not above 0.</exception>
    public static void ClipByValue(Span<float> gradients, float maxValue)
    {
        if (!(float.IsFinite(maxValue) && maxValue > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxValue), maxValue, "The maximum gradient value must be finite and above 0.");
        }
        ClipByValue(gradients, maxValue, KernelDispatch.Active);
    }

    internal static void ClipByValue(Span<float> gradients, float maxValue, InstructionSet path) =>
        ElementwiseDriver.Unary(new ClampOperator(maxValue), gradients, gradients, path);
}
