namespace Rnn.Fast.Cli.Train;

/// <summary>
/// The engine's own training step,
/// <see cref="RnnWorkspace.TrainStep(ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, LossKind, TrainingOptions, ReadOnlySpan{float})"/>,
/// with the options' optimizer (plain SGD, momentum, Adam or AdamW), optional clipping by global norm and, always, the
/// non-finite guard, so a diverging run stops at its first NaN or infinity with the parameters of the step before.
/// </summary>
public sealed class EngineTrainingStep : ITrainingStep
{
    private readonly RnnWorkspace _workspace;
    private readonly TrainingOptions _options;
    private readonly LossKind _loss;
    private readonly int _windowLength;

    /// <summary>Creates the step.</summary>
    /// <param name="model">The model to train.</param>
    /// <param name="options">The optimizer, learning rate, clipping and guard.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="windowLength">T.</param>
    /// <param name="description">What the step does, for the report.</param>
    public EngineTrainingStep(RnnModel model, TrainingOptions options, LossKind loss, int windowLength, string description)
    {
        ArgumentNullException.ThrowIfNull(options);
        _workspace = new RnnWorkspace(model);
        _options = options;
        _loss = loss;
        _windowLength = windowLength;
        Description = description;
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <inheritdoc/>
    public float Run(ReadOnlySpan<float> inputs, int batchSize, ReadOnlySpan<float> targets) =>
        _workspace.TrainStep(inputs, _windowLength, batchSize, targets, _loss, _options).Loss;

    /// <inheritdoc/>
    public TrainingState CopyState() => _workspace.CopyTrainingState();

    /// <inheritdoc/>
    public void RestoreState(TrainingState state) => _workspace.RestoreTrainingState(state);

    /// <summary>Returns the workspace's buffers.</summary>
    public void Dispose() => _workspace.Dispose();
}
