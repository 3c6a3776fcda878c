using System.Globalization;
using Rnn.Fast.Cli;
using Rnn.Fast.Cli.Data;
using Rnn.Fast.Cli.Models;
using Rnn.Fast.Cli.Predict;
using Rnn.Fast.Tests.Serialization;

namespace Rnn.Fast.Tests.Cli;

/// <summary>
/// rnn predict through the streaming step: by default each prediction is the forward pass over the window of T rows
/// before it from H_0 = 0 — training's own computation, so on the hold-out tail it repeats train's predictions bit for
/// bit; with --state carry the prediction after row r is the forward pass over rows 1..r from H_0 = 0. Forecasts and
/// refusals do what the help says.
/// </summary>
public sealed class PredictTests
{
    [Fact]
    public void EachWindowPredictionIsTheForwardPassOverItsWindowAndRepeatsTrainsHoldOutPredictions()
    {
        using var folder = new TemporaryFolder();
        string modelPath = folder.File("m.rnnf"), predictions = folder.File("p.csv");
        Assert.Equal(CommandLine.SuccessExitCode, CliHarness.Run("train", "--data", CliHarness.SampleData, "--target", "demand", "--features", "temperature,demand",
            "--window", "14", "--epochs", "3", "--no-plot", "--out", modelPath).ExitCode);
        Assert.Equal(CommandLine.SuccessExitCode, CliHarness.Run("predict", "--model", modelPath, "--data", CliHarness.SampleData, "--out", predictions).ExitCode);
        TrainedModel trained = TrainedModel.Load(modelPath);
        Dictionary<string, string> predicted = File.ReadLines(predictions).Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], f => f[2]);

        // train's hold-out predictions (each window from H_0 = 0, 146 windows in one batch) reappear as the same text.
        string[] holdOut = [.. File.ReadLines(folder.File("m.holdout.csv")).Skip(1)];
        Assert.Equal(146, holdOut.Length);
        foreach (string[] f in holdOut.Select(l => l.Split(','))) Assert.Equal(f[2], predicted[f[0]]);

        // And each prediction is the workspace's forward pass over its own window.
        TimeSeries series = TimeSeries.Select(CsvTable.Read(CliHarness.SampleData), trained.FeatureNames, trained.TargetName, targetRequired: false);
        int T = trained.WindowLength, d = series.FeatureCount;
        using var workspace = new RnnWorkspace(trained.Model);
        var window = new float[T * d];
        var output = new float[1];
        foreach (int end in new[] { T - 1, T, 100, series.RowCount - 1 })
        {
            for (int t = 0; t < T; t++)
            {
                for (int j = 0; j < d; j++) window[t * d + j] = (float)trained.InputScaling.Standardize(series.Features[(end - T + 1 + t) * d + j], j);
            }

            workspace.Forward(window, T, 1, OutputSteps.LastStep, output);
            Assert.Equal(CsvNumbers.Format(trained.TargetScaling.Restore(output[0], 0)), predicted[(end + 2).ToString(CultureInfo.InvariantCulture)]);
        }
    }

    [Fact]
    public void EachCarriedPredictionIsTheForwardPassOverTheRowsSoFarAndTheFirstIsTheFirstWindows()
    {
        using var folder = new TemporaryFolder();
        string modelPath = folder.File("m.rnnf");
        Assert.Equal(CommandLine.SuccessExitCode, CliHarness.Run("train", "--data", CliHarness.SampleData, "--target", "demand", "--features", "temperature,demand",
            "--window", "14", "--epochs", "3", "--no-plot", "--out", modelPath).ExitCode);
        TrainedModel trained = TrainedModel.Load(modelPath);
        // The first 60 rows: enough to see the state carried well past the first window.
        string data = folder.File("head.csv");
        File.WriteAllLines(data, File.ReadLines(CliHarness.SampleData).Take(61));

        var (exitCode, output, error) = CliHarness.Run("predict", "--model", modelPath, "--data", data, "--state", "carry");
        Assert.True(exitCode == CommandLine.SuccessExitCode, error);
        double[] streamed = [.. CliHarness.Lines(output).Skip(1).Select(l => double.Parse(l.Split(',')[2], CultureInfo.InvariantCulture))];

        // The forward pass over all 60 rows from H_0 = 0, every step's output, on the inputs standardized as predict does.
        TimeSeries series = TimeSeries.Select(CsvTable.Read(data), trained.FeatureNames, trained.TargetName, targetRequired: false);
        int T = trained.WindowLength, rows = series.RowCount, d = series.FeatureCount;
        var inputs = new float[rows * d];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < d; j++) inputs[r * d + j] = (float)trained.InputScaling.Standardize(series.Features[r * d + j], j);
        }

        using var workspace = new RnnWorkspace(trained.Model);
        var everyStep = new float[rows];
        workspace.Forward(inputs, rows, 1, OutputSteps.EveryStep, everyStep);
        var firstWindow = new float[1];
        workspace.Forward(inputs.AsSpan(0, T * d), T, 1, OutputSteps.LastStep, firstWindow);

        Assert.Equal(rows - T + 1, streamed.Length);
        Assert.Equal(trained.TargetScaling.Restore(firstWindow[0], 0), streamed[0]);
        for (int r = T - 1; r < rows; r++) Assert.Equal(trained.TargetScaling.Restore(everyStep[r], 0), streamed[r - T + 1]);
    }

    [Fact]
    public void AForecastFeedsPredictionsBackWhenTheTargetIsTheOnlyInput()
    {
        using var folder = new TemporaryFolder();
        string univariate = folder.File("u.rnnf"), both = folder.File("b.rnnf");
        Assert.Equal(0, CliHarness.Run("train", "--data", CliHarness.SampleData, "--target", "demand", "--features", "demand", "--epochs", "3", "--no-plot", "--out", univariate).ExitCode);
        Assert.Equal(0, CliHarness.Run("train", "--data", CliHarness.SampleData, "--target", "demand", "--features", "temperature,demand", "--epochs", "1", "--no-plot", "--out", both).ExitCode);

        var (exitCode, output, _) = CliHarness.Run("predict", "--model", univariate, "--data", CliHarness.SampleData, "--horizon", "7");
        var (refused, refusedOutput, refusal) = CliHarness.Run("predict", "--model", both, "--data", CliHarness.SampleData, "--horizon", "7");

        Assert.Equal(CommandLine.SuccessExitCode, exitCode);
        string[] lines = CliHarness.Lines(output);
        Assert.Equal([.. Enumerable.Range(731, 7).Select(r => $"{r},")], lines[^7..].Select(l => l[..4]));
        Assert.All(lines[^7..], l => Assert.True(double.IsFinite(double.Parse(l.Split(',')[2], CultureInfo.InvariantCulture))));
        Assert.Equal(CommandLine.UsageErrorExitCode, refused);
        Assert.Empty(refusedOutput);
        Assert.Contains("only input must be its target 'demand'", Assert.Single(CliHarness.Lines(refusal)));
    }

    [Fact]
    public void PredictRefusesAVersionOneFileDataShorterThanAWindowAndMissingColumns()
    {
        using var folder = new TemporaryFolder();
        string model = folder.File("m.rnnf"), shortData = folder.File("short.csv"), otherColumns = folder.File("other.csv");
        Assert.Equal(0, CliHarness.Run("train", "--data", CliHarness.SampleData, "--target", "demand", "--features", "temperature,demand", "--epochs", "1", "--no-plot", "--out", model).ExitCode);
        File.WriteAllLines(shortData, File.ReadLines(CliHarness.SampleData).Take(5));
        File.WriteAllText(otherColumns, "date,demand\n2023-01-01,1\n");

        (int Code, string Line) Refusal(params string[] args)
        {
            var (exitCode, _, error) = CliHarness.Run(args);
            return (exitCode, Assert.Single(CliHarness.Lines(error)));
        }

        var version1 = Refusal("predict", "--model", CliHarness.Version1Fixture, "--data", CliHarness.SampleData);
        var tooShort = Refusal("predict", "--model", model, "--data", shortData);
        var missing = Refusal("predict", "--model", model, "--data", otherColumns);

        Assert.Equal(CommandLine.UsageErrorExitCode, version1.Code);
        Assert.Contains("has no 'inputs.columns' section", version1.Line);
        Assert.Contains("format version 1", version1.Line);
        Assert.Equal(CommandLine.UsageErrorExitCode, tooShort.Code);
        Assert.Contains("4 data rows are fewer than the model's window (14 rows", tooShort.Line);
        Assert.Equal(CommandLine.UsageErrorExitCode, missing.Code);
        Assert.Contains("no feature column 'temperature'", missing.Line);
    }

    [Fact]
    public void APredictionsCsvHasTheDocumentedColumnsAndRoundTrippableNumbers()
    {
        string csv = PredictCommandLine.ToCsv([new Prediction(15, 347.3, 0.1 + 0.2), new Prediction(16, null, -1e-300)]);

        Assert.Equal("row,actual,predicted\n15,347.3,0.30000000000000004\n16,,-1E-300\n", csv);
    }
}
