using System.Globalization;
using Rnn.Fast.Cli.Demo;
using Rnn.Fast.Cli.Verify;

namespace Rnn.Fast.Cli;

/// <summary>The <c>rnn</c> command: reads the arguments, runs one command, and returns the process exit code.</summary>
public static class CommandLine
{
    /// <summary>The command ran and succeeded.</summary>
    public const int SuccessExitCode = 0;

    /// <summary>The command ran but failed (e.g. training diverged); one line on standard error said why.</summary>
    public const int FailureExitCode = 1;

    /// <summary>The command line was wrong; one line on standard error said why.</summary>
    public const int UsageErrorExitCode = 2;

    /// <summary>What <c>rnn --help</c> prints.</summary>
    public static string HelpText { get; } = string.Join(Environment.NewLine,
        "rnn: vanilla (Elman) recurrent networks on the CPU.",
        "",
        "Usage: rnn <command> [options]",
        "",
        "Commands:",
        "  demo     the tutorial: learn to predict the next number of 1, 3, 5, 7, 9 (see 'rnn demo --help')",
        "  verify   compare the fast engine with the reference on a random model (see 'rnn verify --help')",
        "  help     print this help (also --help, -h)",
        "");

    /// <summary>Runs the command that <paramref name="args"/> names.</summary>
    /// <param name="args">The arguments after the program name.</param>
    /// <param name="standardOutput">Where results go.</param>
    /// <param name="standardError">Where a usage error's one line goes.</param>
    /// <returns><see cref="SuccessExitCode"/>, <see cref="FailureExitCode"/> or <see cref="UsageErrorExitCode"/>.</returns>
    public static int Run(IReadOnlyList<string> args, TextWriter standardOutput, TextWriter standardError)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(standardOutput);
        ArgumentNullException.ThrowIfNull(standardError);
        try
        {
            if (args.Count == 0)
            {
                throw new UsageException("no command given; run 'rnn --help' to list the commands");
            }

            IReadOnlyList<string> rest = args.Skip(1).ToArray();
            switch (args[0])
            {
                case "help" or "--help" or "-h":
                    standardOutput.Write(HelpText);
                    return SuccessExitCode;
                case "demo":
                    if (rest.Any(a => a is "--help" or "-h"))
                    {
                        standardOutput.Write(DemoOptions.HelpText);
                        return SuccessExitCode;
                    }

                    DemoOptions options = DemoOptions.Parse(rest);
                    DemoResult result = DemoCommand.Run(options, standardOutput);
                    if (result.DivergedAtStep is int step)
                    {
                        standardError.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"rnn: training diverged at step {step} with learning rate {options.LearningRate}; try a smaller --learning-rate"));
                        return FailureExitCode;
                    }

                    return SuccessExitCode;
                case "verify":
                    if (rest.Any(a => a is "--help" or "-h"))
                    {
                        standardOutput.Write(VerifyOptions.HelpText);
                        return SuccessExitCode;
                    }

                    VerificationReport report = VerifyCommand.Run(VerifyOptions.Parse(rest), standardOutput);
                    if (report.Worst.RelativeError > VerifyCommand.AgreementThreshold)
                    {
                        standardError.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"rnn: the fast engine disagrees with the reference: {report.Worst.Name} has relative error {report.Worst.RelativeError:0.000e+00}"));
                        return FailureExitCode;
                    }

                    return SuccessExitCode;
                default:
                    throw new UsageException($"unknown command '{args[0]}'; run 'rnn --help' to list the commands");
            }
        }
        catch (UsageException error)
        {
            standardError.WriteLine($"rnn: {error.Message}");
            return UsageErrorExitCode;
        }
    }
}
