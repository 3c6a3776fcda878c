using System.CommandLine;
using System.Globalization;
using Rnn.Fast.Cli.Parsing;

namespace Rnn.Fast.Cli.Verify;

/// <summary>The command line of <c>rnn verify</c>.</summary>
public static class VerifyCommandLine
{
    /// <summary>Builds the <c>verify</c> command.</summary>
    /// <param name="setup">The console and the shared options.</param>
    public static Command Create(CommandSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        int max = VerifyOptions.MaxSize;
        Option<ulong> seed = CliOptions.Seed("seed of the sizes, parameters, inputs and targets", 1);
        Option<int?> batch = CliOptions.OptionalWholeNumber("--batch", "n, sequences per batch", 1, max);
        Option<int?> input = CliOptions.OptionalWholeNumber("--input", "d, input width", 1, max);
        Option<int?> hidden = CliOptions.OptionalWholeNumber("--hidden", "h, hidden width", 1, max);
        Option<int?> output = CliOptions.OptionalWholeNumber("--output", "o, output width", 1, max);
        Option<int?> steps = CliOptions.OptionalWholeNumber("--steps", "T, sequence length", 1, max);
        ChoiceOption<LossKind> loss = CliOptions.Choice<LossKind>("--loss", "last (MSE of the last output) or all (MSE of every output)",
            [new("last", LossKind.LastOutputMeanSquaredError), new("all", LossKind.AllOutputsMeanSquaredError)], "last");

        var command = new Command("verify",
            "Runs the fast engine and the double-precision reference on the same random model and data and prints how far "
            + "apart every output and gradient are (max absolute error, where, and relative to the tensor's scale). Sizes "
            + "left out are drawn from the seed: n 1..8, d 1..40, h 1..70, o 1..10, T 1..20.")
        {
            seed, batch, input, hidden, output, steps, loss.Option,
        };
        setup.AddExamples(command,
            "rnn verify",
            "rnn verify --seed 3 --hidden 65 --steps 7 --loss all");
        command.SetAction(parse =>
        {
            var options = new VerifyOptions(parse.GetValue(seed), parse.GetValue(batch), parse.GetValue(input), parse.GetValue(hidden),
                parse.GetValue(output), parse.GetValue(steps), loss.GetValue(parse));
            VerificationReport report = VerifyCommand.Run(options, setup.Console.Output);
            if (report.Worst.RelativeError > VerifyCommand.AgreementThreshold)
            {
                throw new CommandFailedException(string.Create(CultureInfo.InvariantCulture,
                    $"the fast engine disagrees with the reference: {report.Worst.Name} has relative error {report.Worst.RelativeError:0.000e+00}"));
            }

            return CommandLine.SuccessExitCode;
        });
        return command;
    }
}
