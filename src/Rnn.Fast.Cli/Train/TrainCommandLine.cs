using System.CommandLine;
using Rnn.Fast.Cli.Parsing;

namespace Rnn.Fast.Cli.Train;

/// <summary>The command line of <c>rnn train</c>: options, help and examples; the work is <see cref="TrainCommand"/>'s.</summary>
public static class TrainCommandLine
{
    /// <summary>Builds the <c>train</c> command.</summary>
    /// <param name="setup">The console and the shared options.</param>
    public static Command Create(CommandSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var defaults = new TrainOptions { DataPath = "", TargetColumn = "", OutputPath = "" };
        Option<string> data = CliOptions.File("--data", "the time-series CSV: a header row, then one row per time step (see docs/cli.md)", required: true);
        var target = new Option<string>("--target") { Description = "the column to predict, one row ahead", HelpName = "COLUMN", Required = true };
        Option<IReadOnlyList<string>?> features = CliOptions.NameList("--features",
            "the input columns, comma-separated (default: every column; others, such as dates, are then ignored)");
        Option<string> output = CliOptions.File("--out", "the model file to write; the reports go beside it (NAME.loss.csv, NAME.holdout.csv, NAME.png)", required: false);
        output.DefaultValueFactory = _ => "model.rnnf";
        Option<int> window = CliOptions.WholeNumber("--window", "T, rows of inputs per training window", 1, TrainOptions.MaxWindowLength, defaults.WindowLength);
        Option<double> validation = CliOptions.PositiveNumber("--validation", "the share of rows at the end held out for validation, above 0 and at most 0.95", defaults.ValidationFraction, maximum: 0.95);
        Option<int> hidden = CliOptions.WholeNumber("--hidden", "h, hidden units", 1, TrainOptions.MaxHiddenSize, defaults.HiddenSize);
        Option<int> batch = CliOptions.WholeNumber("--batch", "windows per training step", 1, TrainOptions.MaxBatchSize, defaults.BatchSize);
        Option<int> epochs = CliOptions.WholeNumber("--epochs", "passes over the training windows", 1, TrainOptions.MaxEpochs, defaults.Epochs);
        Option<double> learningRate = CliOptions.PositiveNumber("--learning-rate", "the gradient-descent step size, a number above 0", defaults.LearningRate);
        Option<double?> clip = CliOptions.OptionalPositiveNumber("--clip", "clip the gradients to this global norm (default 1)");
        var noClip = new Option<bool>("--no-clip") { Description = "do not clip the gradients" };
        Option<ulong> seed = CliOptions.Seed("seed of the initial parameters and of the order of the windows", defaults.Seed);
        ChoiceOption<LossKind> loss = CliOptions.Choice<LossKind>("--loss", "last (the window's last output) or all (every step's output, each against the next row)",
            [new("last", LossKind.LastOutputMeanSquaredError), new("all", LossKind.AllOutputsMeanSquaredError)], "last");
        var noPlot = new Option<bool>("--no-plot") { Description = "write the CSV reports but not the PNG plot" };
        ChoiceOption<CliOptimizer> optimizer = CliOptions.Choice<CliOptimizer>("--optimizer",
            "sgd, momentum (SGD with momentum), adam or adamw, with PyTorch's semantics (docs/training.md)",
            [new("sgd", CliOptimizer.Sgd), new("momentum", CliOptimizer.Momentum), new("adam", CliOptimizer.Adam), new("adamw", CliOptimizer.AdamW)], "sgd");
        Option<double> momentum = CliOptions.PositiveNumber("--momentum", "the momentum factor of --optimizer momentum", defaults.Momentum);
        Option<double> dampening = CliOptions.PositiveNumber("--dampening", "the dampening of the momentum, from 0 to 1", defaults.Dampening, allowZero: true, maximum: 1);
        var nesterov = new Option<bool>("--nesterov") { Description = "Nesterov momentum (with --optimizer momentum, no dampening)" };
        Option<double?> weightDecay = CliOptions.OptionalPositiveNumber("--weight-decay",
            "weight decay of the weights, not the biases (default 0.01 for adamw, 0 otherwise; an L2 term for sgd, momentum and adam, decoupled for adamw)", allowZero: true);
        Option<double> beta1 = CliOptions.PositiveNumber("--beta1", "Adam's β1, at least 0 and below 1", defaults.Beta1, allowZero: true);
        Option<double> beta2 = CliOptions.PositiveNumber("--beta2", "Adam's β2, at least 0 and below 1", defaults.Beta2, allowZero: true);
        Option<double> epsilon = CliOptions.PositiveNumber("--epsilon", "Adam's ε, added to the denominator", defaults.Epsilon, allowZero: true);
        var amsGrad = new Option<bool>("--amsgrad") { Description = "the AMSGrad variant of adam and adamw" };
        Option<string> resume = CliOptions.File("--resume",
            "continue the run that wrote this model file (same data and options; --epochs counts every epoch): its parameters, optimizer state and order of the windows carry on, bit for bit", required: false);

        var command = new Command("train",
            "Trains a network to predict a column of a time-series CSV one row ahead from windows of the rows before it, "
            + "holding out the last rows for validation. Writes the model file (with the scaling, column names and window), "
            + "the loss of every epoch, the hold-out predictions, and a PNG of both. The same data, options and seed write "
            + "the same model file, byte for byte.")
        {
            data, target, features, output, window, validation, hidden, batch, epochs, learningRate, clip, noClip, seed, loss.Option, noPlot,
            optimizer.Option, momentum, dampening, nesterov, weightDecay, beta1, beta2, epsilon, amsGrad, resume,
        };
        setup.AddExamples(command,
            "rnn train --data samples/daily-demand.csv --target demand --features temperature,demand --out demand.rnnf",
            "rnn train --data samples/daily-demand.csv --target demand --features demand --window 21 --epochs 60 --seed 2 --out demand-only.rnnf",
            "rnn train --data prices.csv --target close --hidden 64 --learning-rate 0.02 --loss all --no-plot",
            "rnn train --data samples/daily-demand.csv --target demand --optimizer adamw --learning-rate 0.003 --weight-decay 0.01 --epochs 20 --out demand.rnnf",
            "rnn train --data samples/daily-demand.csv --target demand --optimizer adamw --learning-rate 0.003 --weight-decay 0.01 --epochs 40 --resume demand.rnnf --out demand-40.rnnf");
        command.SetAction(parse =>
        {
            if (parse.GetValue(noClip) && parse.GetValue(clip) is not null) throw new UsageException("--clip and --no-clip contradict each other; give one");
            CliOptimizer chosen = optimizer.GetValue(parse);
            RequireOptimizer(parse, chosen, CliOptimizer.Momentum, [momentum, dampening, nesterov]);
            RequireOptimizer(parse, chosen, CliOptimizer.Adam, [beta1, beta2, epsilon, amsGrad]);
            var options = new TrainOptions
            {
                DataPath = parse.GetValue(data)!,
                TargetColumn = parse.GetValue(target)!,
                FeatureColumns = parse.GetValue(features),
                OutputPath = parse.GetValue(output)!,
                WindowLength = parse.GetValue(window),
                ValidationFraction = parse.GetValue(validation),
                HiddenSize = parse.GetValue(hidden),
                BatchSize = parse.GetValue(batch),
                Epochs = parse.GetValue(epochs),
                LearningRate = parse.GetValue(learningRate),
                MaxGradientNorm = parse.GetValue(noClip) ? null : parse.GetValue(clip) ?? defaults.MaxGradientNorm,
                Seed = parse.GetValue(seed),
                Loss = loss.GetValue(parse),
                DrawPlot = !parse.GetValue(noPlot),
                Optimizer = chosen,
                Momentum = parse.GetValue(momentum),
                Dampening = parse.GetValue(dampening),
                Nesterov = parse.GetValue(nesterov),
                WeightDecay = parse.GetValue(weightDecay),
                Beta1 = parse.GetValue(beta1),
                Beta2 = parse.GetValue(beta2),
                Epsilon = parse.GetValue(epsilon),
                AmsGrad = parse.GetValue(amsGrad),
                ResumePath = parse.GetValue(resume),
            };
            TrainingStepFactory.EngineOptions(options); // every hyper-parameter checked before any file is read
            TrainCommand.Run(options, setup.Console);
            return CommandLine.SuccessExitCode;
        });
        return command;
    }

    /// <summary>Refuses an option of one optimizer's hyper-parameters given with another optimizer (Adam's also apply to AdamW).</summary>
    private static void RequireOptimizer(ParseResult parse, CliOptimizer chosen, CliOptimizer owner, Option[] options)
    {
        bool applies = chosen == owner || (owner == CliOptimizer.Adam && chosen == CliOptimizer.AdamW);
        if (applies) return;
        foreach (Option option in options)
        {
            if (parse.GetResult(option) is { Implicit: false })
            {
                throw new UsageException($"{option.Name} sets a hyper-parameter of --optimizer {TrainingStepFactory.OptimizerWord(owner)}{(owner == CliOptimizer.Adam ? " or adamw" : "")}, not of {TrainingStepFactory.OptimizerWord(chosen)}");
            }
        }
    }
}
