namespace Rnn.Fast.Cli.Train;

/// <summary>
/// One optimization step on a batch of windows: forward, loss, backward and the parameter update. The training
/// loop calls only this, so a new optimizer is a new implementation built by <see cref="TrainingStepFactory"/>.
/// </summary>
public interface ITrainingStep : IDisposable
{
    /// <summary>What the step does, for the report (e.g. "SGD, learning rate 0.05, gradient norm clipped at 1").</summary>
    string Description { get; }

    /// <summary>Runs one step and returns the loss before the update.</summary>
    /// <param name="inputs">T·n·d standardized values, time-major.</param>
    /// <param name="batchSize">n.</param>
    /// <param name="targets">n (last-output loss) or T·n (every-step loss) standardized targets.</param>
    /// <exception cref="NonFiniteValueException">The step met a NaN or an infinity; the parameters are unchanged.</exception>
    float Run(ReadOnlySpan<float> inputs, int batchSize, ReadOnlySpan<float> targets);

    /// <summary>A copy of the optimizer state (the step count, momentum buffer or moments), to save with the model.</summary>
    TrainingState CopyState();

    /// <summary>Continues from <paramref name="state"/>, saved by an earlier run.</summary>
    /// <param name="state">The state; of the model's shape.</param>
    void RestoreState(TrainingState state);
}
