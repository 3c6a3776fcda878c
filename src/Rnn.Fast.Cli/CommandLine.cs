using System.CommandLine;
using System.CommandLine.Help;
using Rnn.Fast.Cli.Bench;
using Rnn.Fast.Cli.Demo;
using Rnn.Fast.Cli.Info;
using Rnn.Fast.Cli.Interop;
using Rnn.Fast.Cli.Parsing;
using Rnn.Fast.Cli.Predict;
using Rnn.Fast.Cli.Train;
using Rnn.Fast.Cli.Verify;

namespace Rnn.Fast.Cli;

/// <summary>
/// The <c>rnn</c> command: parses the arguments with System.CommandLine, runs one command, and returns the process
/// exit code. Every error is one line on standard error (<c>rnn: what is wrong</c>), with the full exception only
/// under <c>--verbose</c>; a usage error or an input file the tool refuses exits with 2, a failure while running with 1.
/// </summary>
public static class CommandLine
{
    /// <summary>The command ran and succeeded.</summary>
    public const int SuccessExitCode = 0;

    /// <summary>The command ran but failed (e.g. training diverged); one line on standard error said why.</summary>
    public const int FailureExitCode = 1;

    /// <summary>The command line was wrong, or an input file (CSV or model) was refused; one line on standard error said why.</summary>
    public const int UsageErrorExitCode = 2;

    /// <summary>The width help text wraps at when standard output is not a terminal (files, pipes, documentation).</summary>
    private const int RedirectedHelpWidth = 100;

    /// <summary>Runs the command that <paramref name="args"/> names, with no live progress (as into a file).</summary>
    /// <param name="args">The arguments after the program name.</param>
    /// <param name="standardOutput">Where results go.</param>
    /// <param name="standardError">Where an error's one line goes.</param>
    /// <returns><see cref="SuccessExitCode"/>, <see cref="FailureExitCode"/> or <see cref="UsageErrorExitCode"/>.</returns>
    public static int Run(IReadOnlyList<string> args, TextWriter standardOutput, TextWriter standardError) =>
        Run(args, new CliConsole(standardOutput, standardError, OutputIsTerminal: false));

    /// <summary>Runs the command that <paramref name="args"/> names.</summary>
    /// <param name="args">The arguments after the program name.</param>
    /// <param name="console">Where results and errors go, and whether standard output is a terminal.</param>
    /// <returns><see cref="SuccessExitCode"/>, <see cref="FailureExitCode"/> or <see cref="UsageErrorExitCode"/>.</returns>
    public static int Run(IReadOnlyList<string> args, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        var verbose = new Option<bool>("--verbose") { Description = "on an error, print its full detail (type and stack trace)", Recursive = true };
        RootCommand root = Build(console, verbose);
        ParseResult parse = root.Parse(args);
        bool showDetail = parse.GetResult(verbose) is not null && args.Contains("--verbose");
        try
        {
            if (parse.Errors.Count > 0 && parse.Action is not { ClearsParseErrors: true })
            {
                throw new UsageException(UsageErrors.Describe(parse));
            }

            var invocation = new InvocationConfiguration { Output = console.Output, Error = console.Error, EnableDefaultExceptionHandler = false };
            return parse.Invoke(invocation);
        }
        catch (Exception error) when (ExitCodeFor(error) is int exitCode)
        {
            console.Error.WriteLine(showDetail ? $"rnn: {error}" : $"rnn: {OneLine(error.Message)}");
            return exitCode;
        }
    }

    /// <summary>Parses <paramref name="args"/> as <see cref="Run(IReadOnlyList{string}, CliConsole)"/> would, without
    /// running anything (tests check that every example of the help parses).</summary>
    /// <param name="args">The arguments after the program name.</param>
    public static ParseResult Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var verbose = new Option<bool>("--verbose") { Recursive = true };
        return Build(new CliConsole(TextWriter.Null, TextWriter.Null, OutputIsTerminal: false), verbose).Parse(args);
    }

    /// <summary>Builds the root command with every subcommand.</summary>
    private static RootCommand Build(CliConsole console, Option<bool> verbose)
    {
        var setup = new CommandSetup(console, verbose);
        var root = new RootCommand(
            "rnn: vanilla (Elman) recurrent networks on the CPU. Train on a time-series CSV, predict with the model, "
            + "inspect model files, check the fast engine against the reference, and measure this machine.");
        // The name help prints, whatever the host process is called (dotnet, a test host, the installed tool).
        root.HelpName = "rnn";
        root.Add(verbose);
        root.Add(DemoCommandLine.Create(setup));
        root.Add(VerifyCommandLine.Create(setup));
        root.Add(TrainCommandLine.Create(setup));
        root.Add(PredictCommandLine.Create(setup));
        root.Add(InfoCommand.Create(setup));
        root.Add(BenchCommand.Create(setup));
        root.Add(ImportCommand.Create(setup));
        root.Add(ExportCommand.Create(setup));

        var helpTarget = new Argument<string?>("command") { Description = "the command to explain", Arity = ArgumentArity.ZeroOrOne };
        var help = new Command("help", "Prints the help of rnn or of one command (the same as --help).") { helpTarget };
        root.Add(help);
        setup.AddExamples(root, "rnn demo", "rnn train --data samples/daily-demand.csv --target demand --features temperature,demand --out demand.rnnf",
            "rnn predict --model demand.rnnf --data samples/daily-demand.csv", "rnn help train");
        setup.AddExamples(help, "rnn help", "rnn help train");

        HelpOption helpOption = root.Options.OfType<HelpOption>().Single();
        var standardHelp = (HelpAction)helpOption.Action!;
        standardHelp.MaxWidth = console.OutputIsTerminal ? Math.Max(60, ConsoleWidth()) : RedirectedHelpWidth;
        helpOption.Action = new HelpWithExamplesAction(standardHelp, setup.Examples);
        root.Options.OfType<VersionOption>().Single().Action = new VersionAction();
        root.SetAction(ThrowNoCommand);
        help.SetAction(parse =>
        {
            string? name = parse.GetValue(helpTarget);
            if (name is not null && !root.Subcommands.Any(c => c.Name == name))
            {
                throw new UsageException($"unknown command '{name}'; run 'rnn --help' to list the commands");
            }

            string[] helpArgs = name is null ? ["--help"] : [name, "--help"];
            return root.Parse(helpArgs).Invoke(parse.InvocationConfiguration);
        });
        return root;
    }

    private static int ThrowNoCommand(ParseResult parse) => throw new UsageException("no command given; run 'rnn --help' to list the commands");

    /// <summary>The exit code for an error a command threw, or null for one that is a bug (it propagates).</summary>
    private static int? ExitCodeFor(Exception error) => error switch
    {
        UsageException or InputDataException or InvalidModelFileException => UsageErrorExitCode,
        _ => FailureExitCode,
    };

    private static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));

    private static int ConsoleWidth()
    {
        try
        {
            return Console.WindowWidth;
        }
        catch (IOException)
        {
            return RedirectedHelpWidth;
        }
    }
}
