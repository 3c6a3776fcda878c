using System.CommandLine;
using System.Globalization;
using Rnn.Fast.Cli.Parsing;

namespace Rnn.Fast.Cli.Demo;

/// <summary>The command line of <c>rnn demo</c>: its options, its help, and what it does with them.</summary>
public static class DemoCommandLine
{
    /// <summary>Builds the <c>demo</c> command.</summary>
    /// <param name="setup">The console and the shared options.</param>
    public static Command Create(CommandSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var defaults = new DemoOptions();
        Option<ulong> seed = CliOptions.Seed("seed of the initial parameters", defaults.Seed);
        Option<int> epochs = CliOptions.WholeNumber("--epochs", "gradient-descent steps", 1, DemoOptions.MaxEpochs, defaults.Epochs);
        Option<double> learningRate = CliOptions.PositiveNumber("--learning-rate", "step size, a number above 0", defaults.LearningRate);
        Option<int> hidden = CliOptions.WholeNumber("--hidden", "hidden units", 1, DemoOptions.MaxHiddenSize, defaults.HiddenSize);
        ChoiceOption<DemoEngine> engine = CliOptions.Choice<DemoEngine>("--engine", "fast (float32 SIMD kernels) or reference (naive, double precision)",
            [new("fast", DemoEngine.Fast), new("reference", DemoEngine.Reference)], "fast");

        var command = new Command("demo",
            "The tutorial: trains a small network to continue arithmetic sequences of odd numbers, then predicts what follows "
            + "1, 3, 5, 7, 9 and a sequence it never trained on.")
        {
            seed, epochs, learningRate, hidden, engine.Option,
        };
        setup.AddExamples(command,
            "rnn demo",
            "rnn demo --seed 7 --hidden 32",
            "rnn demo --engine reference --epochs 2000");
        command.SetAction(parse =>
        {
            var options = new DemoOptions(parse.GetValue(seed), parse.GetValue(epochs), parse.GetValue(learningRate), parse.GetValue(hidden), engine.GetValue(parse));
            DemoResult result = DemoCommand.Run(options, setup.Console.Output);
            if (result.DivergedAtStep is int step)
            {
                throw new CommandFailedException(string.Create(CultureInfo.InvariantCulture,
                    $"training diverged at step {step} with learning rate {options.LearningRate}; try a smaller --learning-rate"));
            }

            return CommandLine.SuccessExitCode;
        });
        return command;
    }
}
