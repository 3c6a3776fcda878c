namespace Rnn.Fast.Cli.Train;

/// <summary>The losses after one epoch, in standardized units.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="TrainingLoss">The mean loss of the epoch's steps (each step's loss before its update, weighted by its batch).</param>
/// <param name="ValidationLoss">The loss on every validation window after the epoch's last update.</param>
public sealed record EpochResult(int Epoch, double TrainingLoss, double ValidationLoss);
