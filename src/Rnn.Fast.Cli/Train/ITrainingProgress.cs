namespace Rnn.Fast.Cli.Train;

/// <summary>Shows a training run as it goes: a live bar on a terminal (<see cref="LiveTrainingProgress"/>), plain
/// lines elsewhere (<see cref="PlainTrainingProgress"/>).</summary>
public interface ITrainingProgress
{
    /// <summary>Runs <paramref name="training"/> with the progress display around it.</summary>
    /// <typeparam name="T">What the training returns.</typeparam>
    /// <param name="plan">How many epochs and steps there are.</param>
    /// <param name="training">The training run.</param>
    T Run<T>(TrainingPlan plan, Func<T> training);

    /// <summary>A training step finished.</summary>
    /// <param name="epoch">The epoch, from 1.</param>
    /// <param name="step">The step within the epoch, from 1.</param>
    /// <param name="runningLoss">The epoch's mean training loss so far.</param>
    void StepCompleted(int epoch, int step, double runningLoss);

    /// <summary>An epoch finished.</summary>
    /// <param name="result">Its losses.</param>
    /// <param name="elapsed">Time since training started.</param>
    /// <param name="remaining">The estimated time to the end.</param>
    void EpochCompleted(EpochResult result, TimeSpan elapsed, TimeSpan remaining);
}
