using Rnn.Fast.Cli.Models;

namespace Rnn.Fast.Cli.Train;

/// <summary>What a training run produced.</summary>
/// <param name="Model">The trained model, as saved.</param>
/// <param name="History">The losses of every epoch.</param>
/// <param name="HoldOut">The predictions on the hold-out tail.</param>
/// <param name="Files">The files written: the model first, then the CSV reports and the plot.</param>
public sealed record TrainResult(TrainedModel Model, IReadOnlyList<EpochResult> History, HoldOutReport HoldOut, IReadOnlyList<string> Files);
