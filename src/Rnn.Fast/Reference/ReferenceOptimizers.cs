namespace Rnn.Fast.Reference;

/// <summary>
/// The naive reference optimizers: one step of SGD (momentum, dampening, Nesterov, weight decay), Adam and AdamW (with
/// AMSGrad) and clipping by value, in double, element by element, written as the textbook formulas of PyTorch's
/// documentation for torch.optim.SGD, Adam and AdamW. The oracle the fused float passes are checked against; it uses
/// nothing from <c>Rnn.Fast.Kernels</c>.
/// </summary>
/// <remarks>
/// Every buffer is a flat span in any layout (the engine's is <see cref="RnnShape"/>'s); all spans of a call must be
/// equally long. Every length and hyper-parameter is checked before anything is written.
/// </remarks>
public static class ReferenceOptimizers
{
    /// <summary>
    /// One SGD step (torch.optim.SGD): g′ = g + λ·p; with μ ≠ 0, b = g′ at the first step and b = μ·b + (1 − dampening)·g′
    /// after it, then d = g′ + μ·b (Nesterov) or d = b; without momentum d = g′; p = p − lr·d.
    /// </summary>
    /// <param name="gradients">g.</param>
    /// <param name="parameters">p, updated in place.</param>
    /// <param name="momentumBuffer">b, updated in place; empty when <paramref name="momentum"/> is 0.</param>
    /// <param name="firstStep">Whether this is the first step (b starts as g′).</param>
    /// <param name="learningRate">lr: finite, at least 0.</param>
    /// <param name="momentum">μ: finite, at least 0.</param>
    /// <param name="dampening">In [0, 1].</param>
    /// <param name="weightDecay">λ: finite, at least 0.</param>
    /// <param name="nesterov">Nesterov momentum (needs μ &gt; 0 and no dampening).</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of its range.</exception>
    /// <exception cref="ArgumentException">A length differs, or Nesterov without momentum or with dampening.</exception>
    public static void SgdStep(ReadOnlySpan<double> gradients, Span<double> parameters, Span<double> momentumBuffer, bool firstStep,
        double learningRate, double momentum, double dampening, double weightDecay, bool nesterov)
    {
        RequireNonNegative(learningRate, nameof(learningRate));
        RequireNonNegative(momentum, nameof(momentum));
        RequireNonNegative(weightDecay, nameof(weightDecay));
        if (!(dampening >= 0 && dampening <= 1)) throw new ArgumentOutOfRangeException(nameof(dampening), dampening, "The dampening must be in [0, 1].");
        if (nesterov && (momentum <= 0 || dampening != 0)) throw new ArgumentException("Nesterov momentum needs a momentum above 0 and no dampening.", nameof(nesterov));
        RequireLength(gradients.Length, parameters.Length, nameof(gradients));
        if (momentum != 0) RequireLength(momentumBuffer.Length, parameters.Length, nameof(momentumBuffer));

        for (int i = 0; i < parameters.Length; i++)
        {
            double g = gradients[i] + weightDecay * parameters[i];
            double d = g;
            if (momentum != 0)
            {
                double b = firstStep ? g : momentum * momentumBuffer[i] + (1 - dampening) * g;
                momentumBuffer[i] = b;
                d = nesterov ? g + momentum * b : b;
            }
            parameters[i] -= learningRate * d;
        }
    }

    /// <summary>
    /// One Adam or AdamW step (torch.optim.Adam, torch.optim.AdamW) at step t ≥ 1, as the textbook writes it:
    /// AdamW first decays p = p·(1 − lr·λ), Adam instead adds g′ = g + λ·p; m = β1·m + (1 − β1)·g′,
    /// v = β2·v + (1 − β2)·g′²; with AMSGrad v̂ = max(v̂, v) replaces v below; m̂ = m/(1 − β1^t), v̂ₜ = v/(1 − β2^t),
    /// p = p − lr·m̂/(√v̂ₜ + ε).
    /// </summary>
    /// <param name="gradients">g.</param>
    /// <param name="parameters">p, updated in place.</param>
    /// <param name="firstMoment">m, updated in place.</param>
    /// <param name="secondMoment">v, updated in place; at least 0.</param>
    /// <param name="maxSecondMoment">The running maximum of v, updated in place; empty without AMSGrad.</param>
    /// <param name="step">t, the number of this step: at least 1.</param>
    /// <param name="learningRate">lr: finite, at least 0.</param>
    /// <param name="beta1">β1 in [0, 1).</param>
    /// <param name="beta2">β2 in [0, 1).</param>
    /// <param name="epsilon">ε: finite, at least 0.</param>
    /// <param name="weightDecay">λ: finite, at least 0.</param>
    /// <param name="decoupledWeightDecay">AdamW (true) or Adam (false).</param>
    /// <param name="amsGrad">The AMSGrad variant.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter or the step is out of its range.</exception>
    /// <exception cref="ArgumentException">A length differs.</exception>
    public static void AdamStep(ReadOnlySpan<double> gradients, Span<double> parameters, Span<double> firstMoment, Span<double> secondMoment,
        Span<double> maxSecondMoment, long step, double learningRate, double beta1, double beta2, double epsilon, double weightDecay,
        bool decoupledWeightDecay, bool amsGrad)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        RequireNonNegative(learningRate, nameof(learningRate));
        RequireNonNegative(epsilon, nameof(epsilon));
        RequireNonNegative(weightDecay, nameof(weightDecay));
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "β1 must be in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "β2 must be in [0, 1).");
        RequireLength(gradients.Length, parameters.Length, nameof(gradients));
        RequireLength(firstMoment.Length, parameters.Length, nameof(firstMoment));
        RequireLength(secondMoment.Length, parameters.Length, nameof(secondMoment));
        if (amsGrad) RequireLength(maxSecondMoment.Length, parameters.Length, nameof(maxSecondMoment));

        double correction1 = 1 - Math.Pow(beta1, step);
        double correction2 = 1 - Math.Pow(beta2, step);
        for (int i = 0; i < parameters.Length; i++)
        {
            double p = parameters[i], g = gradients[i];
            if (decoupledWeightDecay) p *= 1 - learningRate * weightDecay;
            else g += weightDecay * p;
            double m = beta1 * firstMoment[i] + (1 - beta1) * g;
            double v = beta2 * secondMoment[i] + (1 - beta2) * g * g;
            firstMoment[i] = m;
            secondMoment[i] = v;
            if (amsGrad)
            {
                v = Math.Max(maxSecondMoment[i], v);
                maxSecondMoment[i] = v;
            }
            parameters[i] = p - learningRate * (m / correction1) / (Math.Sqrt(v / correction2) + epsilon);
        }
    }

    /// <summary>Clipping by value (PyTorch's <c>clip_grad_value_</c>): every g becomes min(max(g, −limit), limit).</summary>
    /// <param name="gradients">g, clamped in place.</param>
    /// <param name="limit">Finite and above 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not finite or not above 0.</exception>
    public static void ClipByValue(Span<double> gradients, double limit)
    {
        if (!(double.IsFinite(limit) && limit > 0)) throw new ArgumentOutOfRangeException(nameof(limit), limit, "The limit must be finite and above 0.");
        for (int i = 0; i < gradients.Length; i++) gradients[i] = Math.Min(Math.Max(gradients[i], -limit), limit);
    }

    private static void RequireNonNegative(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and at least 0.");
    }

    private static void RequireLength(int actual, int expected, string name)
    {
        if (actual != expected) throw new ArgumentException($"{name} must hold {expected} values (as many as the parameters), but holds {actual}.", name);
    }
}
