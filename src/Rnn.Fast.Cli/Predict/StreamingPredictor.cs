using System.Globalization;
using Rnn.Fast.Cli.Data;
using Rnn.Fast.Cli.Models;

namespace Rnn.Fast.Cli.Predict;

/// <summary>
/// One-row-ahead predictions over a whole series with <see cref="RnnStreamingSession.Step"/>: the series is fed row
/// by row from a zero hidden state, as each training window was, and the hidden state is carried from row to row.
/// </summary>
/// <remarks>
/// <para>Training saw windows of T rows, each from H_0 = 0. The first prediction is made once T rows have been seen:
/// it is, bit for bit, what training's forward pass computes for the window of rows 1..T (the streaming step and the
/// forward pass compute the same chains). From there the state is carried, so the prediction after row r has seen
/// rows 1..r — exactly the forward pass over that longer window from H_0 = 0 — rather than restarting at each
/// window. A network whose memory is shorter than T (the usual case for a trained tanh network) gives nearly the same
/// prediction either way; one that relies on the zero start of its window can drift.</para>
/// <para>A forecast (<c>--horizon k</c>) feeds each prediction back as the next row's input, which needs the target
/// to be the model's only input.</para>
/// </remarks>
public static class StreamingPredictor
{
    /// <summary>The longest forecast accepted.</summary>
    public const int MaxHorizon = 100_000;

    /// <summary>Predicts every row from row T + 1 on, and <paramref name="horizon"/> − 1 rows past the data.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="series">The data, with the model's feature columns (and its target when the file has it).</param>
    /// <param name="horizon">How many rows past the data to forecast: 1 (the row after the last) or more.</param>
    /// <param name="source">The model file's name, for messages.</param>
    /// <exception cref="InputDataException">The data are shorter than one window, or a forecast beyond one row was
    /// asked of a model whose inputs are not just its target.</exception>
    public static IReadOnlyList<Prediction> Predict(TrainedModel model, TimeSeries series, int horizon, string source)
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

        var session = new RnnStreamingSession(model.Model);
        var input = new float[d];
        var output = new float[1];
        var predictions = new List<Prediction>(rows - T + horizon);
        ReadOnlySpan<double> features = series.Features;
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < d; j++) input[j] = (float)model.InputScaling.Standardize(features[r * d + j], j);
            session.Step(input, output);
            if (r < T - 1) continue;
            double? actual = series.HasTarget && r + 1 < rows ? series.Target[r + 1] : null;
            predictions.Add(new Prediction(r + 2, actual, model.TargetScaling.Restore(output[0], 0)));
        }

        for (int k = 1; k < horizon; k++)
        {
            input[0] = (float)model.InputScaling.Standardize(predictions[^1].Predicted, 0);
            session.Step(input, output);
            predictions.Add(new Prediction(rows + 1 + k, null, model.TargetScaling.Restore(output[0], 0)));
        }

        return predictions;
    }
}
