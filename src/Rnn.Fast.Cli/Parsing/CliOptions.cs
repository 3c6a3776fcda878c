using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Rnn.Fast.Cli.Parsing;

/// <summary>
/// Builds the options of every command with one parser per kind of value, so every malformed or out-of-range value
/// gets the same kind of one-line message: the option, what it must be, and the value given
/// (<c>--epochs must be a whole number from 1 to 1000000, not '2.5'</c>). Numbers are read in the invariant culture.
/// </summary>
public static class CliOptions
{
    /// <summary>A whole-number option in [<paramref name="minimum"/>, <paramref name="maximum"/>].</summary>
    /// <param name="name">The option's name, e.g. <c>--epochs</c>.</param>
    /// <param name="description">What it sets (the range and default are appended).</param>
    /// <param name="minimum">The smallest value accepted.</param>
    /// <param name="maximum">The largest value accepted.</param>
    /// <param name="defaultValue">The value when the option is left out.</param>
    public static Option<int> WholeNumber(string name, string description, int minimum, int maximum, int defaultValue) =>
        new(name)
        {
            Description = $"{description}, {minimum}..{maximum}",
            HelpName = "N",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => ParseWholeNumber(result, name, minimum, maximum) ?? defaultValue,
        };

    /// <summary>A whole-number option in [<paramref name="minimum"/>, <paramref name="maximum"/>] that may be left out (null).</summary>
    /// <param name="name">The option's name.</param>
    /// <param name="description">What it sets (the range is appended).</param>
    /// <param name="minimum">The smallest value accepted.</param>
    /// <param name="maximum">The largest value accepted.</param>
    public static Option<int?> OptionalWholeNumber(string name, string description, int minimum, int maximum) =>
        new(name)
        {
            Description = $"{description}, {minimum}..{maximum}",
            HelpName = "N",
            CustomParser = result => ParseWholeNumber(result, name, minimum, maximum),
        };

    /// <summary>A seed: a whole number from 0 to <see cref="ulong.MaxValue"/>.</summary>
    /// <param name="description">What it seeds.</param>
    /// <param name="defaultValue">The value when the option is left out.</param>
    public static Option<ulong> Seed(string description, ulong defaultValue) =>
        new("--seed")
        {
            Description = description,
            HelpName = "N",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                string text = SingleToken(result);
                if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed)) return seed;
                result.AddError($"--seed must be a whole number from 0 to {ulong.MaxValue}, not '{text}'");
                return defaultValue;
            },
        };

    /// <summary>A finite number above 0 (or at least 0 when <paramref name="allowZero"/>), at most <paramref name="maximum"/>.</summary>
    /// <param name="name">The option's name.</param>
    /// <param name="description">What it sets.</param>
    /// <param name="defaultValue">The value when the option is left out.</param>
    /// <param name="allowZero">Whether 0 is accepted.</param>
    /// <param name="maximum">The largest value accepted.</param>
    public static Option<double> PositiveNumber(string name, string description, double defaultValue, bool allowZero = false, double maximum = double.MaxValue) =>
        new(name)
        {
            Description = description,
            HelpName = "X",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => ParseNumber(result, name, allowZero, maximum) ?? defaultValue,
        };

    /// <summary>A finite number above 0 (or at least 0 when <paramref name="allowZero"/>) that may be left out (null).</summary>
    /// <param name="name">The option's name.</param>
    /// <param name="description">What it sets.</param>
    /// <param name="allowZero">Whether 0 is accepted.</param>
    public static Option<double?> OptionalPositiveNumber(string name, string description, bool allowZero = false) =>
        new(name)
        {
            Description = description,
            HelpName = "X",
            CustomParser = result => ParseNumber(result, name, allowZero, double.MaxValue),
        };

    /// <summary>An option whose value is one of a few words, each standing for a value of <typeparamref name="T"/>.</summary>
    /// <param name="name">The option's name.</param>
    /// <param name="description">What it chooses.</param>
    /// <param name="choices">Each word and its value, in the order the messages list them.</param>
    /// <param name="defaultWord">The word that applies when the option is left out.</param>
    public static ChoiceOption<T> Choice<T>(string name, string description, IReadOnlyList<KeyValuePair<string, T>> choices, string defaultWord) =>
        new(name, description, choices, defaultWord);

    /// <summary>A file path option.</summary>
    /// <param name="name">The option's name.</param>
    /// <param name="description">What the file is.</param>
    /// <param name="required">Whether the command needs it.</param>
    public static Option<string> File(string name, string description, bool required) =>
        new(name) { Description = description, HelpName = "FILE", Required = required };

    /// <summary>A comma-separated list of names, e.g. <c>--features temperature,demand</c>.</summary>
    /// <param name="name">The option's name.</param>
    /// <param name="description">What the names are.</param>
    public static Option<IReadOnlyList<string>?> NameList(string name, string description) =>
        new(name)
        {
            Description = description,
            HelpName = "A,B,...",
            CustomParser = result =>
            {
                string text = SingleToken(result);
                string[] names = [.. text.Split(',').Select(n => n.Trim())];
                if (names.Any(n => n.Length == 0))
                {
                    result.AddError($"{name} must be names separated by commas, without an empty one, not '{text}'");
                    return null;
                }

                string? repeated = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
                if (repeated is not null)
                {
                    result.AddError($"{name} names '{repeated}' twice in '{text}'");
                    return null;
                }

                return names;
            },
        };

    private static int? ParseWholeNumber(ArgumentResult result, string name, int minimum, int maximum)
    {
        string text = SingleToken(result);
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int number) && number >= minimum && number <= maximum)
        {
            return number;
        }

        result.AddError($"{name} must be a whole number from {minimum} to {maximum}, not '{text}'");
        return null;
    }

    private static double? ParseNumber(ArgumentResult result, string name, bool allowZero, double maximum)
    {
        string text = SingleToken(result);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number)
            && double.IsFinite(number) && (allowZero ? number >= 0 : number > 0) && number <= maximum)
        {
            return number;
        }

        string range = maximum == double.MaxValue
            ? allowZero ? "a number of at least 0" : "a number above 0"
            : string.Create(CultureInfo.InvariantCulture, $"{(allowZero ? "a number from 0" : "a number above 0 and")} up to {maximum}");
        result.AddError($"{name} must be {range}, not '{text}'");
        return null;
    }

    /// <summary>The option's one value. The parser reports a missing value before a custom parser runs; this still
    /// returns "" for one, which no parser here accepts.</summary>
    private static string SingleToken(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
}
