using Rnn.Fast.Cli.Data;

namespace Rnn.Fast.Cli.Train;

/// <summary>One predicted row of the hold-out tail, in the target's own units.</summary>
/// <param name="Row">The data row predicted, from 1 (row r is on line r + 1 of the file).</param>
/// <param name="Actual">The target's value in that row.</param>
/// <param name="Predicted">The model's prediction from the window of the T rows before it.</param>
/// <param name="Naive">The naive forecast: the target's value in the row before.</param>
public sealed record HoldOutPrediction(int Row, double Actual, double Predicted, double Naive);

/// <summary>
/// How well the trained model predicts the hold-out tail, one row ahead, in the target's own units, against the
/// naive forecast that repeats the last value.
/// </summary>
public sealed class HoldOutReport
{
    private HoldOutReport(IReadOnlyList<HoldOutPrediction> rows)
    {
        Rows = rows;
        ModelMeanSquaredError = rows.Average(r => (r.Predicted - r.Actual) * (r.Predicted - r.Actual));
        NaiveMeanSquaredError = rows.Average(r => (r.Naive - r.Actual) * (r.Naive - r.Actual));
    }

    /// <summary>Every row of the hold-out tail, in order.</summary>
    public IReadOnlyList<HoldOutPrediction> Rows { get; }

    /// <summary>The model's mean squared error.</summary>
    public double ModelMeanSquaredError { get; }

    /// <summary>The naive forecast's mean squared error.</summary>
    public double NaiveMeanSquaredError { get; }

    /// <summary>The model's error as a share of the naive forecast's (below 1: the model does better).</summary>
    public double Ratio => ModelMeanSquaredError / NaiveMeanSquaredError;

    /// <summary>Builds the report from the standardized predictions of the validation windows.</summary>
    /// <param name="data">The windows.</param>
    /// <param name="standardizedPredictions">One per validation window, in order.</param>
    public static HoldOutReport Create(WindowedSeries data, ReadOnlySpan<float> standardizedPredictions)
    {
        ArgumentNullException.ThrowIfNull(data);
        ReadOnlySpan<double> target = data.Series.Target;
        var rows = new HoldOutPrediction[data.ValidationWindowCount];
        for (int i = 0; i < rows.Length; i++)
        {
            int row = data.ValidationWindowEnd(i) + 1;
            rows[i] = new HoldOutPrediction(row + 1, target[row], data.TargetScaling.Restore(standardizedPredictions[i], 0), target[row - 1]);
        }

        return new HoldOutReport(rows);
    }
}
