using System.Diagnostics;
using System.Globalization;
using System.IO.Hashing;
using Rnn.Fast.Cli.Data;
using Rnn.Fast.Cli.Models;
using Rnn.Fast.Cli.Parsing;
using Spectre.Console;

namespace Rnn.Fast.Cli.Train;

/// <summary>
/// <c>rnn train</c>: reads a time-series CSV, cuts it into windows with a hold-out tail, standardizes it with
/// statistics of the training rows, trains a network with the engine's training step, and writes the model file
/// (with the scaling, columns, window and metadata), a CSV of the losses, a CSV of the hold-out predictions, and a
/// PNG of both. Every input problem is found before anything is written; a run that diverges writes nothing.
/// </summary>
public static class TrainCommand
{
    /// <summary>Runs the training.</summary>
    /// <param name="options">What to train on and how.</param>
    /// <param name="console">Where the story goes, and whether a live progress bar can be drawn.</param>
    /// <returns>What was trained and written.</returns>
    /// <exception cref="UsageException">A file or folder named on the command line does not exist.</exception>
    /// <exception cref="InputDataException">The CSV file is refused (the message names the line and column).</exception>
    /// <exception cref="CommandFailedException">Training diverged; nothing was written.</exception>
    public static TrainResult Run(TrainOptions options, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        CultureInfo invariant = CultureInfo.InvariantCulture;
        TextWriter output = console.Output;
        ReportFilePaths paths = ReportFilePaths.For(options.OutputPath);

        CsvTable table = CsvTable.Read(options.DataPath);
        TimeSeries series = TimeSeries.Select(table, options.FeatureColumns, options.TargetColumn, targetRequired: true);
        WindowedSeries data = WindowedSeries.Create(series, options.WindowLength, options.ValidationFraction);

        var shape = new RnnShape(series.FeatureCount, options.HiddenSize, 1);
        var model = new RnnModel(shape, options.Seed);
        using ITrainingStep step = TrainingStepFactory.Create(options, model);
        using var evaluator = new WindowEvaluator(model, data, options.Loss);
        TrainingPlan plan = TrainingLoop.Plan(data, options);

        output.WriteLine(string.Create(invariant, $"rnn train: {options.DataPath}, {series.RowCount} rows; predict '{series.TargetName}' one row ahead from {string.Join(", ", series.FeatureNames)}"));
        output.WriteLine(string.Create(invariant,
            $"  windows:  {data.WindowLength} rows each; {data.TrainingWindowCount} for training (rows 1-{data.TrainingRows}), {data.ValidationWindowCount} for validation (rows {data.TrainingRows + 1}-{series.RowCount}, the last {options.ValidationFraction})"));
        output.WriteLine("  scaling:  every column standardized with the mean and standard deviation of the training rows");
        output.WriteLine(string.Create(invariant, $"  model:    d={shape.InputSize}, h={shape.HiddenSize}, o=1 ({shape.ParameterCount} parameters), seed {options.Seed}, {model.InstructionSet} kernels"));
        output.WriteLine(string.Create(invariant,
            $"  training: {step.Description}, batch {Math.Min(options.BatchSize, data.TrainingWindowCount)}, {options.Epochs} epochs of {plan.StepsPerEpoch} steps, loss {LossWord(options.Loss)}"));

        ITrainingProgress progress = console.OutputIsTerminal
            ? new LiveTrainingProgress(AnsiConsole.Create(new AnsiConsoleSettings
            {
                // The caller found a terminal; Spectre's own detection would look at the writer, which may be a wrapper.
                Out = new AnsiConsoleOutput(output),
                Ansi = AnsiSupport.Yes,
                Interactive = InteractionSupport.Yes,
            }))
            : new PlainTrainingProgress(output);
        var clock = Stopwatch.StartNew();
        IReadOnlyList<EpochResult> history = progress.Run(plan, () => TrainingLoop.Run(data, step, evaluator, options, progress));
        TimeSpan trainingTime = clock.Elapsed;
        HoldOutReport holdOut = HoldOutReport.Create(data, evaluator.PredictValidation());

        var trained = new TrainedModel(model, series.FeatureNames, series.TargetName, data.InputScaling, data.TargetScaling, data.WindowLength,
            Metadata(options, table, series, data, history, holdOut));
        trained.Save(options.OutputPath);
        var files = new List<string> { options.OutputPath };
        TrainingReportFiles.WriteLosses(paths.Losses, history);
        files.Add(paths.Losses);
        TrainingReportFiles.WriteHoldOut(paths.HoldOut, holdOut);
        files.Add(paths.HoldOut);
        if (options.DrawPlot)
        {
            string title = string.Create(invariant, $"{Path.GetFileName(options.DataPath)}: '{series.TargetName}', window {data.WindowLength}, h={shape.HiddenSize}, seed {options.Seed}");
            TrainingPlot.Save(paths.Plot, history, holdOut, series.TargetName, title);
            files.Add(paths.Plot);
        }

        EpochResult last = history[^1];
        output.WriteLine(string.Create(invariant,
            $"  done in {trainingTime.TotalSeconds:0.0} s: training loss {last.TrainingLoss:0.000000}, validation loss {last.ValidationLoss:0.000000} (standardized units)"));
        output.WriteLine(string.Create(invariant,
            $"  hold-out: mean squared error {holdOut.ModelMeanSquaredError:G6} against {holdOut.NaiveMeanSquaredError:G6} for repeating the last value ({holdOut.Ratio:0.000} of it)"));
        output.WriteLine($"  wrote:    {string.Join(", ", files)}");
        return new TrainResult(trained, history, holdOut, files);
    }

    /// <summary>The option word of a loss, as <c>--loss</c> takes it.</summary>
    /// <param name="loss">The loss.</param>
    public static string LossWord(LossKind loss) => loss == LossKind.LastOutputMeanSquaredError ? "last" : "all";

    /// <summary>What the model file's metadata records: the tool, the data and the options, and how training went —
    /// nothing that changes from run to run (no time, no path, no machine), so the same run writes the same bytes.</summary>
    private static List<KeyValuePair<string, string>> Metadata(TrainOptions options, CsvTable table, TimeSeries series, WindowedSeries data,
        IReadOnlyList<EpochResult> history, HoldOutReport holdOut)
    {
        CultureInfo invariant = CultureInfo.InvariantCulture;
        return
        [
            new("created-by", $"rnn train {VersionAction.ToolVersion}"),
            new("data.file", Path.GetFileName(options.DataPath)),
            new("data.crc32", Crc32.HashToUInt32(File.ReadAllBytes(options.DataPath)).ToString("x8", invariant)),
            new("data.rows", series.RowCount.ToString(invariant)),
            new("data.training-rows", data.TrainingRows.ToString(invariant)),
            new("train.optimizer", "sgd"),
            new("train.learning-rate", CsvNumbers.Format(options.LearningRate)),
            new("train.clip", options.MaxGradientNorm is double norm ? CsvNumbers.Format(norm) : "none"),
            new("train.batch", options.BatchSize.ToString(invariant)),
            new("train.epochs", options.Epochs.ToString(invariant)),
            new("train.loss", LossWord(options.Loss)),
            new("train.seed", options.Seed.ToString(invariant)),
            new("result.training-loss", CsvNumbers.Format(history[^1].TrainingLoss)),
            new("result.validation-loss", CsvNumbers.Format(history[^1].ValidationLoss)),
            new("result.hold-out-mse", CsvNumbers.Format(holdOut.ModelMeanSquaredError)),
            new("result.naive-mse", CsvNumbers.Format(holdOut.NaiveMeanSquaredError)),
        ];
    }
}
