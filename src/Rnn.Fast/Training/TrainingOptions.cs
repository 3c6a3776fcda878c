using Rnn.Fast.Interop;

namespace Rnn.Fast;

/// <summary>
/// How <see cref="RnnWorkspace.TrainStep(ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, LossKind, TrainingOptions, ReadOnlySpan{float})"/>
/// updates the model: the learning rate and its schedule, the optimizer (plain SGD by default, SGD with momentum,
/// Adam, AdamW), parameter groups, optional gradient clipping by value and by global norm, and the optional
/// non-finite guard. Immutable; make one and reuse it, so a training loop allocates nothing.
/// </summary>
/// <example>
/// <code>
/// var options = new TrainingOptions(learningRate: 1e-3f)
/// {
///     Optimizer = new AdamWOptimizer { WeightDecay = 0.01 },
///     Schedule = new CosineAnnealingSchedule(length: 10_000),
///     ParameterGroups = [new ParameterGroup(RnnParameter.Bh, RnnParameter.Bo) { WeightDecay = 0 }],
///     MaxGradientNorm = 1f,
///     GuardNonFinite = true,
/// };
/// TrainingStepResult result = workspace.TrainStep(inputs, T, n, targets, LossKind.LastOutputMeanSquaredError, options);
/// </code>
/// </example>
public sealed record TrainingOptions
{
    private static readonly SgdOptimizer PlainSgd = new();

    private readonly float _learningRate;
    private readonly float? _maxGradientNorm;
    private readonly float? _maxGradientValue;
    private readonly Optimizer _optimizer = PlainSgd;
    private readonly ParameterGroup[] _parameterGroups = [];
    // The group of each tensor (RnnParameter order), or null: resolved once, so a step looks it up without allocating.
    private readonly ParameterGroup?[] _groupOfTensor = new ParameterGroup?[5];

    /// <summary>Plain gradient descent with <paramref name="learningRate"/>, no schedule, no clipping, no guard.</summary>
    /// <param name="learningRate">The step size: finite and at least 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is negative, infinite or NaN.</exception>
    public TrainingOptions(float learningRate) => LearningRate = learningRate;

    /// <summary>
    /// The learning rate: finite and at least 0. It is the rate of every step without a <see cref="Schedule"/>, and
    /// the initial rate of the schedule with one; widened exactly to double, it is torch's <c>lr</c>.
    /// </summary>
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
    /// When set, every gradient is clamped to [−MaxGradientValue, MaxGradientValue] before the update, as PyTorch's
    /// <c>clip_grad_value_(parameters, clip_value)</c> does (a NaN gradient stays NaN). With
    /// <see cref="MaxGradientNorm"/> too, clipping by value comes first. Null (the default) means none.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a value that is not finite or not above 0.</exception>
    public float? MaxGradientValue
    {
        get => _maxGradientValue;
        init
        {
            if (value is float limit && !(float.IsFinite(limit) && limit > 0))
            {
                throw new ArgumentOutOfRangeException(nameof(MaxGradientValue), limit, "The maximum gradient value must be finite and above 0 (or null for no clipping).");
            }
            _maxGradientValue = value;
        }
    }

    /// <summary>
    /// The update rule: <see cref="SgdOptimizer"/> (plain by default), <see cref="AdamOptimizer"/> or
    /// <see cref="AdamWOptimizer"/>. The workspace keeps the optimizer's state between steps; a workspace whose state
    /// belongs to one kind of optimizer refuses a step with another (see <see cref="RnnWorkspace.ResetTrainingState"/>).
    /// </summary>
    /// <exception cref="ArgumentNullException">Set to null.</exception>
    /// <exception cref="ArgumentException">The optimizer's hyper-parameters break a rule that joins several of them
    /// (Nesterov momentum without momentum or with dampening).</exception>
    public Optimizer Optimizer
    {
        get => _optimizer;
        init
        {
            ArgumentNullException.ThrowIfNull(value, nameof(Optimizer));
            value.Validate();
            _optimizer = value;
        }
    }

    /// <summary>
    /// The learning-rate schedule, a function of the step count of the workspace's optimizer state
    /// (<see cref="TrainingState.StepCount"/>: step k + 1 uses the schedule's lr_k; see <see cref="LearningRateSchedule"/>),
    /// applied to each tensor's initial rate; null (the default) keeps the rates constant.
    /// </summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>
    /// Parameter groups with their own learning rate or weight decay (PyTorch's <c>param_groups</c>); each tensor in at
    /// most one group, tensors in none use the defaults. Empty by default.
    /// </summary>
    /// <exception cref="ArgumentNullException">Set to null, or a group is null.</exception>
    /// <exception cref="ArgumentException">A tensor is in more than one group.</exception>
    public IReadOnlyList<ParameterGroup> ParameterGroups
    {
        get => _parameterGroups;
        init
        {
            ArgumentNullException.ThrowIfNull(value, nameof(ParameterGroups));
            ParameterGroup[] groups = [.. value];
            var groupOfTensor = new ParameterGroup?[5];
            foreach (ParameterGroup group in groups)
            {
                if (group is null) throw new ArgumentNullException(nameof(ParameterGroups), "A parameter group is null.");
                foreach (RnnParameter tensor in group.Parameters)
                {
                    if (groupOfTensor[(int)tensor] is not null)
                    {
                        throw new ArgumentException($"{tensor} is in more than one parameter group.", nameof(ParameterGroups));
                    }
                    groupOfTensor[(int)tensor] = group;
                }
            }
            _parameterGroups = groups;
            _groupOfTensor = groupOfTensor;
        }
    }

    /// <summary>The initial learning rate of <paramref name="tensor"/>: its group's, or <see cref="LearningRate"/>.</summary>
    internal float InitialLearningRateOf(RnnParameter tensor) => _groupOfTensor[(int)tensor]?.LearningRate ?? _learningRate;

    /// <summary>The weight decay of <paramref name="tensor"/>: its group's, or the optimizer's.</summary>
    internal double WeightDecayOf(RnnParameter tensor) => _groupOfTensor[(int)tensor]?.WeightDecay ?? _optimizer.DefaultWeightDecay;

    /// <summary>
    /// When true, the step checks the inputs, H_0 and the targets before the forward pass, the loss after it, every
    /// parameter gradient after BPTT, and every parameter and optimizer state value as the update would leave them
    /// (evaluated before anything is written, so a finite learning rate too large for finite gradients is caught too), and throws
    /// <see cref="NonFiniteValueException"/> — naming the tensor, time step and index where a NaN or infinity first
    /// appeared — instead of updating: the parameters and the optimizer state stay bit-identical. The checks are scans over what the step already
    /// touches (inputs, targets, gradients, parameters); off (the default), they cost nothing.
    /// </summary>
    public bool GuardNonFinite { get; init; }
}
