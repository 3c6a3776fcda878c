using System.CommandLine;
using System.Globalization;
using System.Text;
using Rnn.Fast.Cli.Data;
using Rnn.Fast.Cli.Models;
using Rnn.Fast.Cli.Parsing;

namespace Rnn.Fast.Cli.Predict;

/// <summary><c>rnn predict</c>: streams a CSV series through a trained model and writes its one-row-ahead predictions as CSV.</summary>
public static class PredictCommandLine
{
    /// <summary>Builds the <c>predict</c> command.</summary>
    /// <param name="setup">The console and the shared options.</param>
    public static Command Create(CommandSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        Option<string> model = CliOptions.File("--model", "the model file rnn train wrote", required: true);
        Option<string> data = CliOptions.File("--data", "the CSV series, with the columns the model reads (other columns are ignored)", required: true);
        Option<string> output = CliOptions.File("--out", "the CSV file to write (default: standard output)", required: false);
        Option<int> horizon = CliOptions.WholeNumber("--horizon", "rows to forecast past the data, feeding each prediction back (more than 1 needs a model whose only input is its target)",
            1, StreamingPredictor.MaxHorizon, 1);
        ChoiceOption<PredictionState> state = CliOptions.Choice<PredictionState>("--state",
            "window: each prediction runs the T rows before it from a zero state, as training did; carry: one step per row, the state carried from the first row",
            [new("window", PredictionState.Window), new("carry", PredictionState.Carry)], "window");
        var command = new Command("predict",
            "Streams the series through the model with its streaming step and writes row,actual,predicted: the prediction of each "
            + "row from the rows before it, starting once one window (the model's window length T) has been seen, and --horizon "
            + "rows past the data.")
        {
            model, data, output, horizon, state.Option,
        };
        setup.AddExamples(command,
            "rnn predict --model demand.rnnf --data samples/daily-demand.csv --out predictions.csv",
            "rnn predict --model demand-only.rnnf --data samples/daily-demand.csv --horizon 14 | tail -n 14",
            "rnn predict --model demand.rnnf --data samples/daily-demand.csv --state carry");
        command.SetAction(parse =>
        {
            string modelPath = parse.GetValue(model)!, dataPath = parse.GetValue(data)!;
            string? outputPath = parse.GetValue(output);
            TrainedModel trained = TrainedModel.Load(modelPath);
            CsvTable table = CsvTable.Read(dataPath);
            TimeSeries series = TimeSeries.Select(table, trained.FeatureNames, trained.TargetName, targetRequired: false);
            IReadOnlyList<Prediction> predictions = StreamingPredictor.Predict(trained, series, parse.GetValue(horizon), state.GetValue(parse), modelPath);
            string csv = ToCsv(predictions);
            if (outputPath is null)
            {
                setup.Console.Output.Write(csv);
                return CommandLine.SuccessExitCode;
            }

            File.WriteAllText(outputPath, csv);
            setup.Console.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rnn predict: {predictions.Count} predictions of '{trained.TargetName}' (rows {predictions[0].Row}-{predictions[^1].Row}) written to {outputPath}"));
            return CommandLine.SuccessExitCode;
        });
        return command;
    }

    /// <summary>The predictions as CSV: <c>row,actual,predicted</c>, actual empty where it is not known.</summary>
    /// <param name="predictions">The predictions.</param>
    public static string ToCsv(IReadOnlyList<Prediction> predictions)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        var text = new StringBuilder("row,actual,predicted\n");
        foreach (Prediction p in predictions)
        {
            text.Append(p.Row).Append(',');
            if (p.Actual is double actual) text.Append(CsvNumbers.Format(actual));
            text.Append(',').Append(CsvNumbers.Format(p.Predicted)).Append('\n');
        }

        return text.ToString();
    }
}
