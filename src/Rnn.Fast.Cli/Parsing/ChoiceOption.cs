using System.CommandLine;

namespace Rnn.Fast.Cli.Parsing;

/// <summary>
/// An option whose value is one of a few words (<c>--loss last|all</c>), each standing for a value of
/// <typeparamref name="T"/>. The option itself holds the word, so the help shows the word as the default
/// (<c>[default: last]</c>) rather than the name of an enum member.
/// </summary>
/// <typeparam name="T">What the words stand for.</typeparam>
public sealed class ChoiceOption<T>
{
    private readonly IReadOnlyList<KeyValuePair<string, T>> _choices;

    /// <summary>Creates the option.</summary>
    /// <param name="name">The option's name.</param>
    /// <param name="description">What it chooses.</param>
    /// <param name="choices">Each word and its value, in the order the messages list them.</param>
    /// <param name="defaultWord">The word that applies when the option is left out.</param>
    public ChoiceOption(string name, string description, IReadOnlyList<KeyValuePair<string, T>> choices, string defaultWord)
    {
        ArgumentNullException.ThrowIfNull(choices);
        if (!choices.Any(c => c.Key == defaultWord)) throw new ArgumentException($"'{defaultWord}' is not one of the choices.", nameof(defaultWord));
        _choices = choices;
        string words = string.Join(" or ", choices.Select(c => $"'{c.Key}'"));
        Option = new Option<string>(name)
        {
            Description = description,
            HelpName = string.Join('|', choices.Select(c => c.Key)),
            DefaultValueFactory = _ => defaultWord,
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                if (!choices.Any(c => c.Key == text)) result.AddError($"{name} must be {words}, not '{text}'");
                return text;
            },
        };
        Option.CompletionSources.Add([.. choices.Select(c => c.Key)]);
    }

    /// <summary>The System.CommandLine option, to add to a command.</summary>
    public Option<string> Option { get; }

    /// <summary>The value the parsed word stands for (the default's when the option was left out).</summary>
    /// <param name="parse">A parse without errors.</param>
    public T GetValue(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        string word = parse.GetValue(Option)!;
        return _choices.First(c => c.Key == word).Value;
    }
}
