using Rnn.Fast.Reference;

namespace Rnn.Fast.Cli.Demo;

/// <summary>
/// The demo on <see cref="ReferenceRnn"/>: the float parameters are widened once to double and trained in double.
/// </summary>
public sealed class ReferenceTrainingEngine : ITrainingEngine
{
    private readonly RnnShape _shape;
    private readonly double[] _parameters;

    /// <summary>Starts from the given parameters.</summary>
    /// <param name="shape">The network's sizes.</param>
    /// <param name="initialParameters">Float parameters in <see cref="RnnShape"/>'s layout.</param>
    public ReferenceTrainingEngine(RnnShape shape, ReadOnlySpan<float> initialParameters)
    {
        ArgumentNullException.ThrowIfNull(shape);
        _shape = shape;
        _parameters = ReferenceRnn.Widen(initialParameters);
    }

    /// <inheritdoc/>
    public string Description => "reference (double precision)";

    /// <inheritdoc/>
    public double TrainStep(ReadOnlySpan<float> inputs, int sequenceLength, int batchSize, ReadOnlySpan<float> targets, double learningRate) =>
        ReferenceRnn.TrainStep(_shape, ReferenceRnn.Widen(inputs), sequenceLength, batchSize, ReferenceRnn.Widen(targets),
            LossKind.LastOutputMeanSquaredError, learningRate, _parameters);

    /// <inheritdoc/>
    public void PredictLast(ReadOnlySpan<float> inputs, int sequenceLength, int batchSize, Span<float> destination)
    {
        ReadOnlySpan<double> last = ReferenceRnn.Forward(_shape, _parameters, ReferenceRnn.Widen(inputs), sequenceLength, batchSize).LastOutput;
        if (destination.Length != last.Length)
        {
            throw new ArgumentException($"destination must hold {last.Length} values, but holds {destination.Length}.", nameof(destination));
        }

        for (int i = 0; i < last.Length; i++) destination[i] = (float)last[i];
    }
}
