namespace Rnn.Fast;

/// <summary>
/// The update rule of a training step (<see cref="TrainingOptions.Optimizer"/>), with PyTorch's exact semantics:
/// <see cref="SgdOptimizer"/> (torch.optim.SGD: momentum, dampening, Nesterov, weight decay), <see cref="AdamOptimizer"/>
/// (torch.optim.Adam, with AMSGrad) and <see cref="AdamWOptimizer"/> (torch.optim.AdamW). Immutable records holding
/// the hyper-parameters; the state (momentum buffer, moments, step count) lives in the workspace that trains
/// (<see cref="RnnWorkspace.CopyTrainingState"/>).
/// </summary>
/// <remarks>
/// Every hyper-parameter is a double, as PyTorch's Python floats are, and enters the float32 arithmetic exactly where
/// torch's does: scalars such as 1 − β1 or the bias-corrected step size are computed in double, then rounded to float
/// once. The learning rate is <see cref="TrainingOptions.LearningRate"/> (a float, widened exactly), scheduled by
/// <see cref="TrainingOptions.Schedule"/>.
/// </remarks>
public abstract record Optimizer
{
    private protected Optimizer()
    {
    }

    /// <summary>The kind of state this optimizer keeps, so a workspace can refuse state of another kind.</summary>
    internal abstract TrainingStateKind StateKind { get; }

    /// <summary>The weight decay of every parameter not in a <see cref="ParameterGroup"/> that sets its own.</summary>
    internal abstract double DefaultWeightDecay { get; }

    /// <summary>Checks the rules that join several hyper-parameters (each one was checked when it was set).</summary>
    internal virtual void Validate()
    {
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and at least 0.</summary>
    private protected static double RequireNonNegative(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and at least 0, but is {value}.");
        }
        return value;
    }

    /// <summary>Throws unless <paramref name="value"/> is in [0, 1).</summary>
    private protected static double RequireBeta(double value, string name)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1), but is {value}.");
        }
        return value;
    }
}
