using System.CommandLine;

namespace Rnn.Fast.Cli.Parsing;

/// <summary>What every command's builder needs: the console it writes to, the shared options, and the place its
/// help examples are registered.</summary>
/// <param name="console">Where the commands write.</param>
/// <param name="verbose">The root's <c>--verbose</c> option (recursive: every command accepts it).</param>
public sealed class CommandSetup(CliConsole console, Option<bool> verbose)
{
    private readonly Dictionary<Command, IReadOnlyList<string>> _examples = [];

    /// <summary>Where the commands write.</summary>
    public CliConsole Console { get; } = console;

    /// <summary><c>--verbose</c>: errors print their full detail (exception type and stack trace).</summary>
    public Option<bool> Verbose { get; } = verbose;

    /// <summary>The examples registered so far, by command.</summary>
    public IReadOnlyDictionary<Command, IReadOnlyList<string>> Examples => _examples;

    /// <summary>Registers the command lines the help of <paramref name="command"/> shows under "Examples:".</summary>
    /// <param name="command">The command.</param>
    /// <param name="lines">Command lines that work as written, each optionally followed by "  # what it does".</param>
    public void AddExamples(Command command, params string[] lines) => _examples[command] = lines;
}
