using System.CommandLine;
using System.CommandLine.Parsing;

namespace Rnn.Fast.Cli.Parsing;

/// <summary>
/// Turns the parser's first error into the one line <c>rnn</c> prints: what is wrong, the option or word at fault,
/// and where to look (<c>unknown option '--frobnicate' for demo; run 'rnn demo --help' to list the options</c>).
/// Values that an option's own parser refuses (see <see cref="CliOptions"/>) keep that parser's message.
/// </summary>
public static class UsageErrors
{
    /// <summary>The one-line message for a parse that failed.</summary>
    /// <param name="result">A parse with at least one error.</param>
    /// <returns>The message, without the <c>rnn: </c> prefix.</returns>
    public static string Describe(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Command command = result.CommandResult.Command;
        string name = command is RootCommand ? "rnn" : command.Name;
        string help = command is RootCommand ? "rnn --help" : $"rnn {command.Name} --help";
        if (result.UnmatchedTokens.Count > 0)
        {
            string token = result.UnmatchedTokens[0];
            if (token.StartsWith('-')) return $"unknown option '{token}' for {name}; run '{help}' to list the options";
            return command is RootCommand
                ? $"unknown command '{token}'; run 'rnn --help' to list the commands"
                : $"unexpected argument '{token}' for {name}; run '{help}' to see what it takes";
        }

        ParseError error = result.Errors[0];
        if (error.SymbolResult is OptionResult option)
        {
            string optionName = option.Option.Name;
            if (option.IdentifierToken is null) return $"{optionName} is required; run '{help}' for an example";
            if (option.Tokens.Count == 0) return $"{optionName} needs a value";
            if (option.Tokens.Count > 1) return $"{optionName} is given more than once";
        }

        if (error.SymbolResult is ArgumentResult { Argument: var argument } && error.SymbolResult.Tokens.Count == 0 && command is not RootCommand)
        {
            return $"{name} needs {argument.HelpName ?? argument.Name}; run '{help}' for an example";
        }

        return error.Message.TrimEnd('.');
    }
}
