namespace Rnn.Fast;

/// <summary>
/// How <see cref="RnnWorkspace.TrainStep(ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, LossKind, TrainingOptions, ReadOnlySpan{float})"/>
/// updates the model: the learning rate, optional gradient clipping by global norm, and the optional non-finite guard.
/// Immutable; make one and reuse it, so a training loop allocates nothing.
/// </summary>
/// <example>
/// <code>
/// var options = new TrainingOptions(learningRate: 0.01f) { MaxGradientNorm = 1f, GuardNonFinite = true };
/// TrainingStepResult result = workspace.TrainStep(inputs, T, n, targets, LossKind.LastOutputMeanSquaredError, options);
/// </code>
/// </example>
public sealed record TrainingOptions
{
    private readonly float _learningRate;
    private readonly float? _maxGradientNorm;

    /// <summary>Plain gradient descent with <paramref name="learningRate"/>, no clipping, no guard.</summary>
    /// <param name="learningRate">The step size: finite and at least 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is negative, infinite or NaN.</exception>
    public TrainingOptions(float learningRate) => LearningRate = learningRate;

    /// <summary>The step size of <c>p ← p − LearningRate·g</c>: finite and at least 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative, infinite or NaN value.</exception>
    public float LearningRate
    {
        get => _learningRate;
        init
        {
            EngineArguments.RequireLearningRate(value);
            _learningRate = value;
        }
    }

    /// <summary>
    /// When set, the gradients are clipped by their global Euclidean norm before the update, as PyTorch's
    /// <c>clip_grad_norm_(parameters, max_norm)</c> does: with N = ‖g‖₂ over every parameter gradient, g is multiplied
    /// by <c>MaxGradientNorm / (N + 1e−6)</c> when that factor is below 1, and left alone otherwise. N is computed by
    /// a fixed tree of double partial sums (so it cannot overflow, and it has the same bits on every path),
    /// the factor in double and rounded once to float; each gradient is then scaled with one rounding. Null (the
    /// default) means no clipping and no norm computed.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a value that is not finite or not above 0.</exception>
    public float? MaxGradientNorm
    {
        get => _maxGradientNorm;
        init
        {
            if (value is float norm && !(float.IsFinite(norm) && norm > 0))
            {
                throw new ArgumentOutOfRangeException(nameof(MaxGradientNorm), norm, "The maximum gradient norm must be finite and above 0 (or null for no clipping).");
            }
            _maxGradientNorm = value;
        }
    }

    /// <summary>
    /// When true, the step checks the inputs, H_0 and the targets before the forward pass, the loss after it and every
    /// parameter gradient after BPTT, and throws <see cref="NonFiniteValueException"/> — naming the tensor, time step
    /// and index where a NaN or infinity first appeared — instead of updating: the parameters stay bit-identical.
    /// The checks are scans over what the step already touches (inputs, targets, gradients); off (the default), they
    /// cost nothing.
    /// </summary>
    public bool GuardNonFinite { get; init; }
}
