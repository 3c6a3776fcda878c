using System.Globalization;

namespace Rnn.Fast.Cli.Data;

/// <summary>How the tool writes numbers into CSV files: invariant culture, shortest round-trippable form ("R"), so a
/// value reads back to the same double and the same run writes the same bytes.</summary>
public static class CsvNumbers
{
    /// <summary>The value's text.</summary>
    /// <param name="value">A double.</param>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A header or text field: quoted (RFC 4180) when it holds a comma, a quote or surrounding space.</summary>
    /// <param name="text">The field.</param>
    public static string Field(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        bool quote = text.Contains(',') || text.Contains('"') || text != text.Trim();
        return quote ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
    }
}
