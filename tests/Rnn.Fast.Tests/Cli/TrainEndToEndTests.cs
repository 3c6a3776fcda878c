using System.Globalization;
using Rnn.Fast.Cli;
using Rnn.Fast.Cli.Data;
using Rnn.Fast.Cli.Models;
using Rnn.Fast.Tests.Serialization;
using SkiaSharp;

namespace Rnn.Fast.Tests.Cli;

/// <summary>
/// rnn train → info → predict on the sample data, checked by what comes out: the model file loads, the hold-out
/// predictions beat repeating the last value, the plot decodes as a PNG of the documented size, the loss CSV has a row
/// per epoch, predictions are finite, and the same run writes the same model file byte for byte.
/// </summary>
/// <remarks>
/// The options are the walk-through's (docs/cli.md): 40 epochs over 570 windows of 14 rows, about half a second of
/// training per run on the 2-core development machine.
/// </remarks>
public sealed class TrainEndToEndTests
{
    private static string[] TrainArguments(string model, ulong seed) =>
        ["train", "--data", CliHarness.SampleData, "--target", "demand", "--features", "temperature,demand", "--window", "14", "--seed", seed.ToString(CultureInfo.InvariantCulture), "--out", model];

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void TrainInfoAndPredictOnTheSampleBeatTheNaiveForecast(ulong seed)
    {
        using var folder = new TemporaryFolder();
        string model = folder.File("demand.rnnf");

        var (exitCode, output, error) = CliHarness.Run(TrainArguments(model, seed));

        Assert.True(exitCode == CommandLine.SuccessExitCode, error);
        Assert.Empty(error);
        Assert.Equal(["demand.holdout.csv", "demand.loss.csv", "demand.png", "demand.rnnf"], folder.FileNames());
        Assert.Contains("hold-out: mean squared error", output);

        // The model file loads, with its sections.
        RnnModel loaded = RnnModelFile.Load(model);
        Assert.Equal(new RnnShape(2, 32, 1), loaded.Shape);
        TrainedModel trained = TrainedModel.Load(model);
        Assert.Equal(["temperature", "demand"], trained.FeatureNames);
        Assert.Equal(14, trained.WindowLength);

        // One loss row per epoch, every loss finite.
        string[] losses = File.ReadAllLines(folder.File("demand.loss.csv"));
        Assert.Equal("epoch,training_loss,validation_loss", losses[0]);
        Assert.Equal(40, losses.Length - 1);
        Assert.All(losses.Skip(1).Select(l => l.Split(',')), f => Assert.True(double.IsFinite(Number(f[1])) && double.IsFinite(Number(f[2]))));

        // The hold-out predictions, checked against the data file itself: the mean squared error is at most 0.8 of
        // the naive forecast's (the previous row's value).
        TimeSeries series = TimeSeries.Select(CsvTable.Read(CliHarness.SampleData), ["temperature", "demand"], "demand", targetRequired: true);
        string[] holdOut = File.ReadAllLines(folder.File("demand.holdout.csv"));
        Assert.Equal("row,actual,predicted,naive", holdOut[0]);
        Assert.Equal(146, holdOut.Length - 1); // 20% of 730 rows
        double model2 = 0, naive2 = 0;
        foreach (string[] f in holdOut.Skip(1).Select(l => l.Split(',')))
        {
            int row = int.Parse(f[0], CultureInfo.InvariantCulture);
            double actual = series.Target[row - 1], previous = series.Target[row - 2], predicted = Number(f[2]);
            Assert.Equal(actual, Number(f[1]));
            Assert.True(double.IsFinite(predicted));
            model2 += (predicted - actual) * (predicted - actual);
            naive2 += (previous - actual) * (previous - actual);
        }

        Assert.True(model2 <= 0.8 * naive2, $"seed {seed}: hold-out MSE {model2 / 146} against the naive {naive2 / 146}");

        // The plot is a PNG of the documented size.
        using (SKBitmap? plot = SKBitmap.Decode(folder.File("demand.png")))
        {
            Assert.NotNull(plot);
            Assert.Equal((1000, 760), (plot.Width, plot.Height));
        }

        // info shows what the file holds.
        var (infoExit, info, _) = CliHarness.Run("info", model);
        Assert.Equal(CommandLine.SuccessExitCode, infoExit);
        foreach (string expected in new[] { "format version 2", "(verified)", "d=2, h=32, o=1", "1153 parameters", "window:      14 rows", "temperature: standardized", "train.seed = " + seed })
        {
            Assert.Contains(expected, info);
        }

        // predict streams the whole series: one prediction per row from row 15 on, and one past the data, all finite.
        string predictions = folder.File("predictions.csv");
        var (predictExit, _, predictError) = CliHarness.Run("predict", "--model", model, "--data", CliHarness.SampleData, "--out", predictions);
        Assert.True(predictExit == CommandLine.SuccessExitCode, predictError);
        string[] lines = File.ReadAllLines(predictions);
        Assert.Equal("row,actual,predicted", lines[0]);
        Assert.Equal(730 - 14 + 1, lines.Length - 1);
        Assert.StartsWith("15,", lines[1]);
        Assert.StartsWith("731,,", lines[^1]);
        Assert.All(lines.Skip(1), l => Assert.True(double.IsFinite(Number(l.Split(',')[2]))));
    }

    [Fact]
    public void TheSameDataOptionsAndSeedWriteTheSameModelFileByteForByte()
    {
        using var folder = new TemporaryFolder();
        string first = folder.File("first.rnnf"), second = folder.File("second.rnnf"), other = folder.File("other.rnnf");

        Assert.Equal(CommandLine.SuccessExitCode, CliHarness.Run([.. TrainArguments(first, 5), "--no-plot", "--epochs", "8"]).ExitCode);
        Assert.Equal(CommandLine.SuccessExitCode, CliHarness.Run([.. TrainArguments(second, 5), "--no-plot", "--epochs", "8"]).ExitCode);
        Assert.Equal(CommandLine.SuccessExitCode, CliHarness.Run([.. TrainArguments(other, 6), "--no-plot", "--epochs", "8"]).ExitCode);

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
        Assert.Equal(File.ReadAllBytes(folder.File("first.loss.csv")), File.ReadAllBytes(folder.File("second.loss.csv")));
        Assert.NotEqual(File.ReadAllBytes(first), File.ReadAllBytes(other));
    }

    [Fact]
    public void TheEveryStepLossTrainsAndPredictsToo()
    {
        using var folder = new TemporaryFolder();
        string model = folder.File("all.rnnf");

        var (exitCode, _, error) = CliHarness.Run([.. TrainArguments(model, 1), "--loss", "all", "--epochs", "10", "--no-plot"]);

        Assert.True(exitCode == CommandLine.SuccessExitCode, error);
        Assert.Equal("all", TrainedModel.Load(model).Metadata.Single(p => p.Key == "train.loss").Value);
        Assert.Equal(CommandLine.SuccessExitCode, CliHarness.Run("predict", "--model", model, "--data", CliHarness.SampleData).ExitCode);
    }

    [Fact]
    public void OnATerminalTheLiveProgressRunsAndTheSummaryFollows()
    {
        using var folder = new TemporaryFolder();
        var output = new StringWriter();
        var error = new StringWriter();

        int exitCode = CommandLine.Run([.. TrainArguments(folder.File("m.rnnf"), 1), "--epochs", "3", "--no-plot"], new CliConsole(output, error, OutputIsTerminal: true));

        Assert.True(exitCode == CommandLine.SuccessExitCode, error.ToString());
        Assert.Contains("epoch 3/3", output.ToString());
        Assert.Contains("hold-out: mean squared error", output.ToString());
    }

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
