using System.CommandLine;

namespace Rnn.Fast.Cli.Interop;

/// <summary>
/// <c>--prefix RNN,HEAD</c>: the module prefixes of the nn.RNN and its nn.Linear head in a state_dict
/// (<c>rnn.,fc.</c>; either may be empty, <c>,fc.</c> for an nn.RNN saved at the top level). Each prefix is empty or
/// ends with a dot; the library checks that and says what is wrong.
/// </summary>
public static class PrefixOption
{
    /// <summary>Creates the option.</summary>
    /// <param name="description">What the prefixes select.</param>
    public static Option<(string Rnn, string Head)?> Create(string description) =>
        new("--prefix")
        {
            Description = description,
            HelpName = "RNN,HEAD",
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                string[] parts = text.Split(',');
                if (parts.Length == 2) return (parts[0].Trim(), parts[1].Trim());
                result.AddError($"--prefix must be two prefixes separated by a comma, the RNN's and the head's (such as 'rnn.,fc.'), not '{text}'");
                return null;
            },
        };
}
