using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Rnn.Fast.Cli.Parsing;

/// <summary>
/// What <c>--help</c> (and <c>rnn help COMMAND</c>) prints: System.CommandLine's own help (description, usage,
/// arguments, options, subcommands), then an "Examples:" section with command lines that work as written.
/// </summary>
/// <param name="standardHelp">System.CommandLine's help action, which writes everything but the examples.</param>
/// <param name="examples">The examples of each command, in the order they are printed.</param>
public sealed class HelpWithExamplesAction(HelpAction standardHelp, IReadOnlyDictionary<Command, IReadOnlyList<string>> examples) : SynchronousCommandLineAction
{
    /// <inheritdoc/>
    public override bool ClearsParseErrors => true;

    /// <inheritdoc/>
    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(standardHelp);
        ArgumentNullException.ThrowIfNull(parseResult);
        standardHelp.Invoke(parseResult);
        TextWriter output = parseResult.InvocationConfiguration.Output;
        if (examples.TryGetValue(parseResult.CommandResult.Command, out IReadOnlyList<string>? lines) && lines.Count > 0)
        {
            output.WriteLine("Examples:");
            foreach (string line in lines) output.WriteLine($"  {line}");
            output.WriteLine();
        }

        return CommandLine.SuccessExitCode;
    }
}
