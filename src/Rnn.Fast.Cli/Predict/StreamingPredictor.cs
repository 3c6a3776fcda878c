using System.Globalization;
using Rnn.Fast.Cli.Data;
using Rnn.Fast.Cli.Models;

namespace Rnn.Fast.Cli.Predict;

/// <summary>
/// One-row-ahead predictions over a whole series with <see cref="RnnStreamingSession.Step"/>, in one of two ways
/// (<see cref="PredictionState"/>), both starting once the first window of T rows has been seen.
/// </summary>
/// <remarks>
/// <para>Training saw windows of T rows, each from H_0 = 0. With <see cref="PredictionState.Window"/> (the default)
/// each prediction resets the session and steps through the T rows before the predicted one: it is, bit for bit,
/// what training's forward pass computes for that window (the streaming step and the forward pass compute the same
/// chains, and a window's outputs do not depend on the batch it is in), so on the hold-out tail it repeats train's
/// hold-out predictions exactly. It costs T steps per row.</para>
/// <para>With <see cref="PredictionState.Carry"/> there is one step per row and the state is carried from the first
/// row on, as a live stream through one session would run: the prediction after row r is the forward pass over rows
/// 1..r from H_0 = 0. The first prediction is the same as the window's; later ones see more history than any
/// training window did, so they differ, and a network trained only on windows that start from zero can do worse
/// with the longer history.</para>
/// <para>A forecast (<c>--horizon k</c>) appends each prediction as the next row's input and goes on, which needs the
/// target to be the model's only input.</para>
/// </remarks>
public static class StreamingPredictor
{
    /// <summary>The longest forecast accepted.</summary>
    public const int MaxHorizon = 100_000;

    /// <summary>Predicts every row from row T + 1 on, and <paramref name="horizon"/> − 1 rows past the data.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="series">The data, with the model's feature columns (and its target when the file has it).</param>
    /// <param name="horizon">How many rows past the data to forecast: 1 (the row after the last) or more.</param>
    /// <param name="state">Whether each prediction runs its own window from zero or the state is carried.</param>
    /// <param name="source">The model file's name, for messages.</param>
    /// <exception cref="InputDataException">The data are shorter than one window.</exception>
    /// <exception cref="UsageException">A forecast beyond one row was asked of a model whose inputs are not just its target.</exception>
    public static IReadOnlyList<Prediction> Predict(TrainedModel model, TimeSeries series, int horizon, PredictionState state, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(series);
        int T = model.WindowLength, d = series.FeatureCount, rows = series.RowCount;
        if (rows < T)
        {
            throw new InputDataException(string.Create(CultureInfo.InvariantCulture,
                $"{series.Source}: its {rows} data rows are fewer than the model's window ({T} rows, from {source}); predictions start once one window has been seen"));
        }

        bool feedBack = model.FeatureNames.Count == 1 && model.FeatureNames[0] == model.TargetName;
        if (horizon > 1 && !feedBack)
        {
            throw new UsageException($"--horizon {horizon} feeds each prediction back as the next input, so the model's only input must be its target '{model.TargetName}'; "
                + $"this model reads {string.Join(", ", model.FeatureNames)}. Use --horizon 1, or train with --features {model.TargetName}");
        }

        // The standardized inputs of every row, and room for the forecast's rows after them.
        var inputs = new float[(rows + horizon - 1) * d];
        ReadOnlySpan<double> features = series.Features;
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < d; j++) inputs[r * d + j] = (float)model.InputScaling.Standardize(features[r * d + j], j);
        }

        var session = new RnnStreamingSession(model.Model);
        var output = new float[1];
        var predictions = new List<Prediction>(rows - T + horizon);
        int last = rows + horizon - 1; // rows 0 .. last−1 are read; the row after each is predicted
        for (int end = state == PredictionState.Window ? T - 1 : 0; end < last; end++)
        {
            if (state == PredictionState.Window)
            {
                session.Reset();
                for (int r = end - T + 1; r <= end; r++) session.Step(inputs.AsSpan(r * d, d), output);
            }
            else
            {
                session.Step(inputs.AsSpan(end * d, d), output);
                if (end < T - 1) continue;
            }

            double predicted = model.TargetScaling.Restore(output[0], 0);
            double? actual = series.HasTarget && end + 1 < rows ? series.Target[end + 1] : null;
            predictions.Add(new Prediction(end + 2, actual, predicted));
            if (end + 1 >= rows && end + 1 < last) inputs[(end + 1) * d] = (float)model.InputScaling.Standardize(predicted, 0);
        }

        return predictions;
    }
}
