using System.Globalization;

namespace Rnn.Fast.Cli.Train;

/// <summary>
/// Plain stochastic gradient descent through the engine's own step,
/// <see cref="RnnWorkspace.TrainStep(ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, LossKind, TrainingOptions, ReadOnlySpan{float})"/>:
/// optional clipping by global norm and, always, the non-finite guard, so a diverging run stops at its first NaN or
/// infinity with the parameters of the step before.
/// </summary>
public sealed class SgdTrainingStep : ITrainingStep
{
    private readonly RnnWorkspace _workspace;
    private readonly TrainingOptions _options;
    private readonly LossKind _loss;
    private readonly int _windowLength;

    /// <summary>Creates the step.</summary>
    /// <param name="model">The model to train.</param>
    /// <param name="options">The learning rate, clipping and guard.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="windowLength">T.</param>
    public SgdTrainingStep(RnnModel model, TrainingOptions options, LossKind loss, int windowLength)
    {
        ArgumentNullException.ThrowIfNull(options);
        _workspace = new RnnWorkspace(model);
        _options = options;
        _loss = loss;
        _windowLength = windowLength;
    }

    /// <inheritdoc/>
    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"SGD, learning rate {_options.LearningRate}, {(_options.MaxGradientNorm is float norm ? $"gradient norm clipped at {norm}" : "no clipping")}");

    /// <inheritdoc/>
    public float Run(ReadOnlySpan<float> inputs, int batchSize, ReadOnlySpan<float> targets) =>
        _workspace.TrainStep(inputs, _windowLength, batchSize, targets, _loss, _options).Loss;

    /// <summary>Returns the workspace's buffers.</summary>
    public void Dispose() => _workspace.Dispose();
}
