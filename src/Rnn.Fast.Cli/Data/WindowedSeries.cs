using System.Globalization;

namespace Rnn.Fast.Cli.Data;

/// <summary>
/// A time series cut into windows for training: window e holds the T rows e−T+1 … e as inputs and has the target of
/// row e+1 as the value to predict (one row ahead), or, for the every-step loss, the target of the row after each of
/// its rows. The last <c>ValidationRows</c> rows form the hold-out tail: a window whose predicted row lies in it is a
/// validation window (its inputs may reach back into the training rows), every other window a training window. The
/// features and the target are standardized with scalings fitted on the training rows alone.
/// </summary>
public sealed class WindowedSeries
{
    private readonly float[] _inputs;
    private readonly float[] _targets;

    private WindowedSeries(TimeSeries series, int windowLength, int trainingRows, ColumnScaling inputScaling, ColumnScaling targetScaling, float[] inputs, float[] targets)
    {
        Series = series;
        WindowLength = windowLength;
        TrainingRows = trainingRows;
        InputScaling = inputScaling;
        TargetScaling = targetScaling;
        _inputs = inputs;
        _targets = targets;
    }

    /// <summary>The series the windows are cut from.</summary>
    public TimeSeries Series { get; }

    /// <summary>T, the rows per window.</summary>
    public int WindowLength { get; }

    /// <summary>The rows 0 … TrainingRows−1 that training sees (and that the scalings are fitted on).</summary>
    public int TrainingRows { get; }

    /// <summary>The rows of the hold-out tail.</summary>
    public int ValidationRows => Series.RowCount - TrainingRows;

    /// <summary>The scaling of the features.</summary>
    public ColumnScaling InputScaling { get; }

    /// <summary>The scaling of the target.</summary>
    public ColumnScaling TargetScaling { get; }

    /// <summary>d, the features per row.</summary>
    public int FeatureCount => Series.FeatureCount;

    /// <summary>The number of training windows: those that predict rows T … TrainingRows−1.</summary>
    public int TrainingWindowCount => TrainingRows - WindowLength;

    /// <summary>The number of validation windows: those that predict rows TrainingRows … RowCount−1.</summary>
    public int ValidationWindowCount => ValidationRows;

    /// <summary>The last row of training window <paramref name="index"/>.</summary>
    /// <param name="index">From 0 to <see cref="TrainingWindowCount"/> − 1.</param>
    public int TrainingWindowEnd(int index) => WindowLength - 1 + index;

    /// <summary>The last row of validation window <paramref name="index"/> (it predicts row TrainingRows + index).</summary>
    /// <param name="index">From 0 to <see cref="ValidationWindowCount"/> − 1.</param>
    public int ValidationWindowEnd(int index) => TrainingRows - 1 + index;

    /// <summary>The standardized target of <paramref name="row"/>.</summary>
    /// <param name="row">From 0.</param>
    public float StandardizedTarget(int row) => _targets[row];

    /// <summary>
    /// Cuts <paramref name="series"/> into windows of <paramref name="windowLength"/> rows with the last
    /// <paramref name="validationFraction"/> of the rows (rounded to the nearest row) held out.
    /// </summary>
    /// <param name="series">The data; it must have the target.</param>
    /// <param name="windowLength">T, at least 1.</param>
    /// <param name="validationFraction">The share of rows held out, in (0, 1).</param>
    /// <exception cref="InputDataException">The data are too short for one training window and one validation row.</exception>
    public static WindowedSeries Create(TimeSeries series, int windowLength, double validationFraction)
    {
        ArgumentNullException.ThrowIfNull(series);
        CultureInfo invariant = CultureInfo.InvariantCulture;
        int rows = series.RowCount;
        if (rows < windowLength + 1)
        {
            throw new InputDataException(string.Create(invariant,
                $"{series.Source}: its {rows} data rows are fewer than one window needs: --window {windowLength} takes {windowLength} rows of inputs and the next row's target, {windowLength + 1} rows"));
        }

        int validationRows = (int)Math.Round(validationFraction * rows, MidpointRounding.AwayFromZero);
        if (validationRows < 1)
        {
            throw new InputDataException(string.Create(invariant,
                $"{series.Source}: --validation {validationFraction} of its {rows} data rows holds out no row; use a larger --validation"));
        }

        int trainingRows = rows - validationRows;
        if (trainingRows < windowLength + 1)
        {
            throw new InputDataException(string.Create(invariant,
                $"{series.Source}: with --validation {validationFraction}, training keeps the first {trainingRows} of its {rows} data rows, fewer than one window needs ({windowLength + 1} rows for --window {windowLength}); use a smaller --window or --validation, or more data"));
        }

        ColumnScaling inputScaling = ColumnScaling.Fit(series.Features, trainingRows, series.FeatureNames, series.Source);
        ColumnScaling targetScaling = ColumnScaling.Fit(series.Target, trainingRows, [series.TargetName], series.Source);
        int d = series.FeatureCount;
        var inputs = new float[rows * d];
        var targets = new float[rows];
        ReadOnlySpan<double> features = series.Features, target = series.Target;
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < d; j++) inputs[r * d + j] = (float)inputScaling.Standardize(features[r * d + j], j);
            targets[r] = (float)targetScaling.Standardize(target[r], 0);
        }

        return new WindowedSeries(series, windowLength, trainingRows, inputScaling, targetScaling, inputs, targets);
    }

    /// <summary>Writes the inputs of the windows ending at <paramref name="windowEnds"/> time-major, [T][n][d].</summary>
    /// <param name="windowEnds">The last row of each window; n of them.</param>
    /// <param name="destination">T·n·d values.</param>
    public void GatherInputs(ReadOnlySpan<int> windowEnds, Span<float> destination)
    {
        int n = windowEnds.Length, d = FeatureCount, T = WindowLength;
        for (int t = 0; t < T; t++)
        {
            for (int b = 0; b < n; b++)
            {
                int row = windowEnds[b] - T + 1 + t;
                _inputs.AsSpan(row * d, d).CopyTo(destination.Slice((t * n + b) * d, d));
            }
        }
    }

    /// <summary>
    /// Writes the standardized targets of the windows ending at <paramref name="windowEnds"/>: for the last-output
    /// loss the next row's target of each window ([n][1]); for the every-step loss the next row's target of each of
    /// its rows, time-major ([T][n][1]).
    /// </summary>
    /// <param name="windowEnds">The last row of each window; n of them.</param>
    /// <param name="loss">Which targets.</param>
    /// <param name="destination">n or T·n values.</param>
    public void GatherTargets(ReadOnlySpan<int> windowEnds, LossKind loss, Span<float> destination)
    {
        int n = windowEnds.Length, T = WindowLength;
        if (loss == LossKind.LastOutputMeanSquaredError)
        {
            for (int b = 0; b < n; b++) destination[b] = _targets[windowEnds[b] + 1];
            return;
        }

        for (int t = 0; t < T; t++)
        {
            for (int b = 0; b < n; b++) destination[t * n + b] = _targets[windowEnds[b] - T + 2 + t];
        }
    }
}
