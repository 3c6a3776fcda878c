namespace Rnn.Fast;

/// <summary>
/// A snapshot of a workspace's optimizer state: which optimizer it belongs to, how many steps it has taken (torch's
/// <c>state['step']</c>, which also places the learning-rate schedule) and its buffers in the <see cref="RnnShape"/>
/// layout (SGD's momentum buffer; Adam's and AdamW's first and second moments and the AMSGrad maximum). Take one with
/// <see cref="RnnWorkspace.CopyTrainingState"/>, save it with the model, and give it to a new workspace with
/// <see cref="RnnWorkspace.RestoreTrainingState"/>: the resumed run is bit for bit the run that never stopped.
/// Immutable.
/// </summary>
public sealed class TrainingState
{
    private readonly float[] _first;
    private readonly float[] _second;
    private readonly float[] _third;

    private TrainingState(RnnShape shape, TrainingStateKind? kind, long stepCount, float[] first, float[] second, float[] third)
    {
        Shape = shape;
        Kind = kind;
        StepCount = stepCount;
        _first = first;
        _second = second;
        _third = third;
    }

    /// <summary>The shape of the model the state belongs to.</summary>
    public RnnShape Shape { get; }

    /// <summary>The optimizer the state belongs to; null before the first step (any optimizer may start from it).</summary>
    public TrainingStateKind? Kind { get; }

    /// <summary>The number of updates taken: the next step is step <c>StepCount + 1</c> (Adam's bias corrections) and uses the schedule's rate lr_StepCount.</summary>
    public long StepCount { get; }

    /// <summary>SGD's momentum buffer (<see cref="TrainingStateKind.SgdMomentum"/>); empty otherwise.</summary>
    public ReadOnlySpan<float> MomentumBuffer => Kind == TrainingStateKind.SgdMomentum ? _first : default;

    /// <summary>Adam's first moment m (torch's <c>exp_avg</c>); empty for SGD.</summary>
    public ReadOnlySpan<float> FirstMoment => IsAdam(Kind) ? _first : default;

    /// <summary>Adam's second moment v (torch's <c>exp_avg_sq</c>); empty for SGD.</summary>
    public ReadOnlySpan<float> SecondMoment => IsAdam(Kind) ? _second : default;

    /// <summary>The AMSGrad maximum of v (torch's <c>max_exp_avg_sq</c>); empty without AMSGrad.</summary>
    public ReadOnlySpan<float> MaxSecondMoment => Kind is TrainingStateKind.AdamAmsGrad or TrainingStateKind.AdamWAmsGrad ? _third : default;

    /// <summary>How many buffers of <see cref="RnnShape.ParameterCount"/> values a state of <paramref name="kind"/> holds.</summary>
    /// <param name="kind">The optimizer.</param>
    /// <returns>0 (plain SGD), 1 (momentum), 2 (Adam, AdamW) or 3 (with AMSGrad).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not defined.</exception>
    public static int BufferCount(TrainingStateKind kind) => kind switch
    {
        TrainingStateKind.Sgd => 0,
        TrainingStateKind.SgdMomentum => 1,
        TrainingStateKind.Adam or TrainingStateKind.AdamW => 2,
        TrainingStateKind.AdamAmsGrad or TrainingStateKind.AdamWAmsGrad => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, $"{kind} is not a {nameof(TrainingStateKind)}."),
    };

    /// <summary>
    /// A state from its parts, for instance PyTorch's optimizer state mapped to the <see cref="RnnShape"/> layout (see
    /// the two-bias caveat in the training documentation: torch keeps a state per bias, this model one for their sum).
    /// </summary>
    /// <param name="shape">The model's shape.</param>
    /// <param name="kind">The optimizer.</param>
    /// <param name="stepCount">Updates taken so far: at least 0.</param>
    /// <param name="buffers">Exactly <see cref="BufferCount"/>(<paramref name="kind"/>) buffers of
    /// <see cref="RnnShape.ParameterCount"/> finite values, in the order of the properties (momentum; or m, v and the
    /// maximum of v, both of those at least 0); copied.</param>
    /// <returns>The state.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> or <paramref name="buffers"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not defined, or <paramref name="stepCount"/> is negative.</exception>
    /// <exception cref="ArgumentException">A wrong number of buffers, a buffer of the wrong length, a non-finite value,
    /// or a negative second moment; the message names the buffer and the element.</exception>
    public static TrainingState Create(RnnShape shape, TrainingStateKind kind, long stepCount, params float[][] buffers)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(buffers);
        int count = BufferCount(kind);
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        if (buffers.Length != count)
        {
            throw new ArgumentException($"A {kind} state holds {count} buffers, but {buffers.Length} were given.", nameof(buffers));
        }

        var copies = new float[3][];
        for (int b = 0; b < 3; b++)
        {
            if (b >= count)
            {
                copies[b] = [];
                continue;
            }

            float[] buffer = buffers[b] ?? throw new ArgumentNullException(nameof(buffers), $"Buffer {BufferName(kind, b)} is null.");
            RequireBuffer(shape, kind, b, buffer, nameof(buffers));
            copies[b] = [.. buffer];
        }

        return new TrainingState(shape, kind, stepCount, copies[0], copies[1], copies[2]);
    }

    /// <summary>
    /// The model-file sections that hold this state (<see cref="ModelFileSectionNames.OptimizerKind"/>, the step count,
    /// and one float32 section per buffer under torch's names), to save with the model:
    /// <c>RnnModelFile.Save(model, path, state.ToSections())</c>; <see cref="RnnModelFileContents.TrainingState"/> reads
    /// them back bit for bit. None before the first step.
    /// </summary>
    /// <returns>The sections, new each call.</returns>
    public IReadOnlyList<ModelFileSection> ToSections() => TrainingStateSections.Create(this);

    /// <summary>The state before any step.</summary>
    internal static TrainingState Initial(RnnShape shape) => new(shape, null, 0, [], [], []);

    /// <summary>A state that takes the given arrays as its own (the workspace's copies).</summary>
    internal static TrainingState FromOwned(RnnShape shape, TrainingStateKind? kind, long stepCount, float[] first, float[] second, float[] third) =>
        new(shape, kind, stepCount, first, second, third);

    /// <summary>Buffer <paramref name="index"/> (0, 1, 2), whatever the kind (empty when the kind has fewer).</summary>
    internal ReadOnlySpan<float> Buffer(int index) => index switch { 0 => _first, 1 => _second, _ => _third };

    /// <summary>The name of buffer <paramref name="index"/> of a <paramref name="kind"/> state, for messages and files.</summary>
    internal static string BufferName(TrainingStateKind kind, int index) => (kind, index) switch
    {
        (TrainingStateKind.SgdMomentum, 0) => "momentum_buffer",
        (_, 0) => "exp_avg",
        (_, 1) => "exp_avg_sq",
        _ => "max_exp_avg_sq",
    };

    /// <summary>Throws unless <paramref name="buffer"/> is a valid buffer <paramref name="index"/> of a <paramref name="kind"/> state.</summary>
    internal static void RequireBuffer(RnnShape shape, TrainingStateKind kind, int index, ReadOnlySpan<float> buffer, string argument)
    {
        string name = BufferName(kind, index);
        if (buffer.Length != shape.ParameterCount)
        {
            throw new ArgumentException($"Buffer {name} must hold {shape.ParameterCount} values (the parameter count of {shape}), but holds {buffer.Length}.", argument);
        }

        bool nonNegative = index > 0; // v and its maximum are sums of squares
        for (int i = 0; i < buffer.Length; i++)
        {
            float value = buffer[i];
            if (!float.IsFinite(value) || (nonNegative && value < 0))
            {
                throw new ArgumentException(
                    $"Buffer {name} holds {value} at {NonFiniteGuard.ParameterName(shape, i, "")} (index {i}); it must be finite{(nonNegative ? " and at least 0" : "")}.",
                    argument);
            }
        }
    }

    private static bool IsAdam(TrainingStateKind? kind) => kind is >= TrainingStateKind.Adam;
}
