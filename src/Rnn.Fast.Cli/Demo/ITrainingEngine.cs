namespace Rnn.Fast.Cli.Demo;

/// <summary>
/// What the demo needs from an engine: one training step and a prediction. The fast engine (<see cref="FastTrainingEngine"/>)
/// and the reference (<see cref="ReferenceTrainingEngine"/>) implement it. Data cross the boundary as float, the model's type.
/// </summary>
public interface ITrainingEngine
{
    /// <summary>A short name for the output, e.g. "reference (double)".</summary>
    string Description { get; }

    /// <summary>
    /// One gradient-descent step on a batch: forward from H_0 = 0, MSE of the last output, BPTT, update.
    /// </summary>
    /// <param name="inputs">T·n·d values, time-major.</param>
    /// <param name="sequenceLength">T.</param>
    /// <param name="batchSize">n.</param>
    /// <param name="targets">n·o values: the wanted last outputs.</param>
    /// <param name="learningRate">The step size.</param>
    /// <returns>The loss before the update.</returns>
    double TrainStep(ReadOnlySpan<float> inputs, int sequenceLength, int batchSize, ReadOnlySpan<float> targets, double learningRate);

    /// <summary>The last outputs O_T (n·o values) for a batch, from H_0 = 0.</summary>
    /// <param name="inputs">T·n·d values, time-major.</param>
    /// <param name="sequenceLength">T.</param>
    /// <param name="batchSize">n.</param>
    /// <param name="destination">n·o values.</param>
    void PredictLast(ReadOnlySpan<float> inputs, int sequenceLength, int batchSize, Span<float> destination);
}
