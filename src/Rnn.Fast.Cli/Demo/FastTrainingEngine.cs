namespace Rnn.Fast.Cli.Demo;

/// <summary>The demo on the fast engine: an <see cref="RnnModel"/> trained in float32 through one <see cref="RnnWorkspace"/>.</summary>
public sealed class FastTrainingEngine : ITrainingEngine, IDisposable
{
    private readonly RnnModel _model;
    private readonly RnnWorkspace _workspace;

    /// <summary>Starts from the given parameters.</summary>
    /// <param name="shape">The network's sizes.</param>
    /// <param name="initialParameters">Float parameters in <see cref="RnnShape"/>'s layout.</param>
    public FastTrainingEngine(RnnShape shape, ReadOnlySpan<float> initialParameters)
    {
        _model = new RnnModel(shape, initialParameters);
        _workspace = new RnnWorkspace(_model);
    }

    /// <inheritdoc/>
    public string Description => $"fast (float32, {_model.InstructionSet} kernels)";

    /// <inheritdoc/>
    public double TrainStep(ReadOnlySpan<float> inputs, int sequenceLength, int batchSize, ReadOnlySpan<float> targets, double learningRate) =>
        _workspace.TrainStep(inputs, sequenceLength, batchSize, targets, LossKind.LastOutputMeanSquaredError, (float)learningRate);

    /// <inheritdoc/>
    public void PredictLast(ReadOnlySpan<float> inputs, int sequenceLength, int batchSize, Span<float> destination) =>
        _workspace.Forward(inputs, sequenceLength, batchSize, OutputSteps.LastStep, destination);

    /// <summary>Returns the workspace's pooled buffers.</summary>
    public void Dispose() => _workspace.Dispose();
}
