namespace Rnn.Fast.Cli.Demo;

/// <summary>What the demo learned, in the original (unscaled) units.</summary>
/// <param name="TutorialPrediction">The prediction after 1, 3, 5, 7, 9 (11 is right).</param>
/// <param name="UnseenPrediction">The prediction after 21, 23, 25, 27, 29, a window left out of training (31 is right).</param>
/// <param name="FinalLoss">The training loss (MSE of the last output, scaled units) after the last step.</param>
/// <param name="DivergedAtStep">The step whose loss was no longer finite, when training diverged (the predictions are
/// then NaN); null when it did not.</param>
public sealed record DemoResult(double TutorialPrediction, double UnseenPrediction, double FinalLoss, int? DivergedAtStep);
