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
        TrainedModel? resumed = options.ResumePath is string resumePath ? Resumable(resumePath, options, series, data, shape) : null;
        int completedEpochs = resumed is null ? 0 : int.Parse(resumed.Metadata.Single(p => p.Key == "train.epochs").Value, invariant);
        RnnModel model = resumed?.Model ?? new RnnModel(shape, options.Seed);
        using ITrainingStep step = TrainingStepFactory.Create(options, model);
        if (resumed?.TrainingState is TrainingState state) step.RestoreState(state);
        using var evaluator = new WindowEvaluator(model, data, options.Loss);
        TrainingPlan plan = TrainingLoop.Plan(data, options);

        output.WriteLine(string.Create(invariant, $"rnn train: {options.DataPath}, {series.RowCount} rows; predict '{series.TargetName}' one row ahead from {string.Join(", ", series.FeatureNames)}"));
        output.WriteLine(string.Create(invariant,
            $"  windows:  {data.WindowLength} rows each; {data.TrainingWindowCount} for training (rows 1-{data.TrainingRows}), {data.ValidationWindowCount} for validation (rows {data.TrainingRows + 1}-{series.RowCount}, the last {options.ValidationFraction})"));
        output.WriteLine("  scaling:  every column standardized with the mean and standard deviation of the training rows");
        output.WriteLine(string.Create(invariant, $"  model:    d={shape.InputSize}, h={shape.HiddenSize}, o=1 ({shape.ParameterCount} parameters), seed {options.Seed}, {model.InstructionSet} kernels"));
        output.WriteLine(string.Create(invariant,
            $"  training: {step.Description}, batch {Math.Min(options.BatchSize, data.TrainingWindowCount)}, {options.Epochs} epochs of {plan.StepsPerEpoch} steps, loss {LossWord(options.Loss)}"));
        if (resumed is not null)
        {
            output.WriteLine(string.Create(invariant, $"  resuming: {options.ResumePath} after epoch {completedEpochs} (optimizer step {resumed.TrainingState?.StepCount ?? 0})"));
        }

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
        IReadOnlyList<EpochResult> history = progress.Run(plan, () => TrainingLoop.Run(data, step, evaluator, options, progress, completedEpochs));
        TimeSpan trainingTime = clock.Elapsed;
        HoldOutReport holdOut = HoldOutReport.Create(data, evaluator.PredictValidation());

        var trained = new TrainedModel(model, series.FeatureNames, series.TargetName, data.InputScaling, data.TargetScaling, data.WindowLength,
            Metadata(options, table, series, data, history, holdOut)) { TrainingState = step.CopyState() };
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

    /// <summary>
    /// The model file of the run to continue, checked to be the same training (data, columns, window, network and
    /// options, as its metadata records them) stopped before <see cref="TrainOptions.Epochs"/> epochs.
    /// </summary>
    /// <exception cref="UsageException">The file is not a run of this training, or has already trained as many epochs.</exception>
    private static TrainedModel Resumable(string path, TrainOptions options, TimeSeries series, WindowedSeries data, RnnShape shape)
    {
        CultureInfo invariant = CultureInfo.InvariantCulture;
        TrainedModel saved = TrainedModel.Load(path);
        Dictionary<string, string> before = saved.Metadata.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        if (!before.TryGetValue("train.epochs", out string? epochsText) || !int.TryParse(epochsText, NumberStyles.None, invariant, out int epochs))
        {
            throw new UsageException($"--resume {path}: the file does not say how many epochs its run took; it was not written by rnn train");
        }

        if (saved.Model.Shape != shape)
        {
            throw new UsageException($"--resume {path}: its network has shape {saved.Model.Shape}, this run's has {shape} (give the same --features and --hidden)");
        }

        if (saved.WindowLength != data.WindowLength) throw new UsageException($"--resume {path}: it was trained on windows of {saved.WindowLength} rows, this run on {data.WindowLength} (give the same --window)");
        if (!saved.FeatureNames.SequenceEqual(series.FeatureNames) || saved.TargetName != series.TargetName)
        {
            throw new UsageException($"--resume {path}: it reads {string.Join(", ", saved.FeatureNames)} to predict '{saved.TargetName}', this run {string.Join(", ", series.FeatureNames)} to predict '{series.TargetName}'");
        }

        foreach ((string key, string value) in RunDefinition(options, series, data))
        {
            string earlier = before.GetValueOrDefault(key, "(none)");
            if (earlier != value) throw new UsageException($"--resume {path}: its run had {key} = {earlier}, this one has {value}; a resumed run must repeat the options and data of the run it continues");
        }

        if (epochs >= options.Epochs)
        {
            throw new UsageException(string.Create(invariant, $"--resume {path}: its run already took {epochs} epochs; give --epochs above {epochs} (the epochs in all, counting those)"));
        }

        return saved;
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
        List<KeyValuePair<string, string>> run = RunDefinition(options, series, data);
        return
        [
            new("created-by", $"rnn train {VersionAction.ToolVersion}"),
            new("data.file", Path.GetFileName(options.DataPath)),
            .. run,
            new("train.epochs", options.Epochs.ToString(invariant)),
            new("result.training-loss", CsvNumbers.Format(history[^1].TrainingLoss)),
            new("result.validation-loss", CsvNumbers.Format(history[^1].ValidationLoss)),
            new("result.hold-out-mse", CsvNumbers.Format(holdOut.ModelMeanSquaredError)),
            new("result.naive-mse", CsvNumbers.Format(holdOut.NaiveMeanSquaredError)),
        ];
    }

    /// <summary>The metadata that must be the same for a run to continue another (<c>--resume</c>): the data, and every
    /// option of the optimization except the number of epochs.</summary>
    private static List<KeyValuePair<string, string>> RunDefinition(TrainOptions options, TimeSeries series, WindowedSeries data)
    {
        CultureInfo invariant = CultureInfo.InvariantCulture;
        return
        [
            new("data.crc32", Crc32.HashToUInt32(File.ReadAllBytes(options.DataPath)).ToString("x8", invariant)),
            new("data.rows", series.RowCount.ToString(invariant)),
            new("data.training-rows", data.TrainingRows.ToString(invariant)),
            new("train.optimizer", TrainingStepFactory.OptimizerWord(options.Optimizer)),
            new("train.optimizer-settings", TrainingStepFactory.Describe(options)),
            new("train.learning-rate", CsvNumbers.Format(options.LearningRate)),
            new("train.clip", options.MaxGradientNorm is double norm ? CsvNumbers.Format(norm) : "none"),
            new("train.batch", options.BatchSize.ToString(invariant)),
            new("train.loss", LossWord(options.Loss)),
            new("train.seed", options.Seed.ToString(invariant)),
        ];
    }
}
