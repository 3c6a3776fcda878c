using ScottPlot;
using SkiaSharp;

namespace Rnn.Fast.Cli.Train;

/// <summary>
/// The PNG <c>rnn train</c> draws with ScottPlot 5: on top, the training and validation loss of every epoch
/// (standardized units); below, the model's one-row-ahead predictions on the hold-out tail against
/// the truth and the naive forecast. Both panels are drawn onto one SkiaSharp surface.
/// </summary>
public static class TrainingPlot
{
    /// <summary>The image's width in pixels.</summary>
    public const int Width = 1000;

    /// <summary>The image's height in pixels.</summary>
    public const int Height = 760;

    /// <summary>Draws the plot and writes it as a PNG.</summary>
    /// <param name="path">The PNG file.</param>
    /// <param name="history">The epochs.</param>
    /// <param name="holdOut">The hold-out predictions.</param>
    /// <param name="targetName">The target column, for the axis label.</param>
    /// <param name="title">What was trained, for the top title.</param>
    public static void Save(string path, IReadOnlyList<EpochResult> history, HoldOutReport holdOut, string targetName, string title)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(holdOut);
        Plot loss = LossPanel(history, title);
        Plot predictions = PredictionPanel(holdOut, targetName);

        using SKSurface surface = SKSurface.Create(new SKImageInfo(Width, Height));
        surface.Canvas.Clear(SKColors.White);
        int split = Height * 9 / 20;
        DrawInto(surface.Canvas, loss, new SKRect(0, 0, Width, split));
        DrawInto(surface.Canvas, predictions, new SKRect(0, split, Width, Height));
        using SKImage image = surface.Snapshot();
        using SKData data = image.Encode(SKEncodedImageFormat.Png, 100);
        using FileStream file = File.Create(path);
        data.SaveTo(file);
    }

    private static Plot LossPanel(IReadOnlyList<EpochResult> history, string title)
    {
        var plot = new Plot();
        double[] epochs = [.. history.Select(e => (double)e.Epoch)];
        var training = plot.Add.Scatter(epochs, [.. history.Select(e => e.TrainingLoss)]);
        training.LegendText = "training loss";
        var validation = plot.Add.Scatter(epochs, [.. history.Select(e => e.ValidationLoss)]);
        validation.LegendText = "validation loss";
        training.MarkerSize = validation.MarkerSize = history.Count > 60 ? 0 : 4;
        double highest = history.Max(e => Math.Max(e.TrainingLoss, e.ValidationLoss));
        plot.Axes.SetLimitsY(0, highest * 1.05);
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("MSE (standardized)");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static Plot PredictionPanel(HoldOutReport holdOut, string targetName)
    {
        var plot = new Plot();
        double[] rows = [.. holdOut.Rows.Select(r => (double)r.Row)];
        var actual = plot.Add.Scatter(rows, [.. holdOut.Rows.Select(r => r.Actual)]);
        actual.LegendText = "truth";
        actual.MarkerSize = 0;
        actual.LineWidth = 2;
        var predicted = plot.Add.Scatter(rows, [.. holdOut.Rows.Select(r => r.Predicted)]);
        predicted.LegendText = $"prediction (MSE {holdOut.ModelMeanSquaredError:G4})";
        predicted.MarkerSize = 0;
        predicted.LineWidth = 2;
        var naive = plot.Add.Scatter(rows, [.. holdOut.Rows.Select(r => r.Naive)]);
        naive.LegendText = $"repeat last value (MSE {holdOut.NaiveMeanSquaredError:G4})";
        naive.MarkerSize = 0;
        naive.LinePattern = LinePattern.Dotted;
        naive.Color = Colors.Gray;
        plot.Title("hold-out tail: one row ahead");
        plot.XLabel("row");
        plot.YLabel(targetName);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>Renders one plot into one rectangle of the canvas (clipped: a plot clears its whole canvas).</summary>
    private static void DrawInto(SKCanvas canvas, Plot plot, SKRect area)
    {
        canvas.Save();
        canvas.ClipRect(area);
        plot.Render(canvas, new PixelRect(area.Left, area.Right, area.Bottom, area.Top));
        canvas.Restore();
    }
}
