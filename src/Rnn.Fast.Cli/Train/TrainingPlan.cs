namespace Rnn.Fast.Cli.Train;

/// <summary>How much work a training run is, for progress reports.</summary>
/// <param name="Epochs">Passes over the training windows.</param>
/// <param name="StepsPerEpoch">Training steps (batches) per epoch.</param>
public sealed record TrainingPlan(int Epochs, int StepsPerEpoch)
{
    /// <summary>Every step of the run.</summary>
    public long TotalSteps => (long)Epochs * StepsPerEpoch;
}
