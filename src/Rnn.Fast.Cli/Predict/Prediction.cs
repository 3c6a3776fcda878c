namespace Rnn.Fast.Cli.Predict;

/// <summary>One predicted row.</summary>
/// <param name="Row">The data row predicted, from 1 (row r is on line r + 1 of the file); past the data for a forecast.</param>
/// <param name="Actual">The target's value in that row, when the file has it; null past the data or without the column.</param>
/// <param name="Predicted">The model's prediction, in the target's units.</param>
public sealed record Prediction(int Row, double? Actual, double Predicted);
