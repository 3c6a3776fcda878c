using System.Globalization;
using System.Text;

namespace Rnn.Fast.Compare;

/// <summary>Prints a comparison as an aligned text table or as a markdown table for pull-request comments.</summary>
public static class ComparisonReport
{
    /// <summary>Renders the table and a one-line summary.</summary>
    public static string Render(IReadOnlyList<BenchmarkComparison> lines, double threshold, bool markdown)
    {
        string[] header = ["Benchmark", "Baseline median", "Current median", "Ratio", "Baseline alloc", "Current alloc", "p", "Verdict"];
        var rows = lines.Select(l => new[]
        {
            l.FullName,
            Time(l.Baseline?.Median),
            Time(l.Current?.Median),
            double.IsNaN(l.Ratio) ? "-" : l.Ratio.ToString("0.000", CultureInfo.InvariantCulture),
            Bytes(l.Baseline?.AllocatedBytesPerOperation),
            Bytes(l.Current?.AllocatedBytesPerOperation),
            double.IsNaN(l.PValue) ? "-" : l.PValue.ToString("0.000", CultureInfo.InvariantCulture),
            l.Verdict.ToString(),
        }).ToList();

        var text = new StringBuilder();
        if (markdown)
        {
            text.AppendLine("| " + string.Join(" | ", header) + " |");
            text.AppendLine("|" + string.Concat(header.Select((_, i) => i == 0 ? "---|" : "---:|")));
            foreach (string[] row in rows) text.AppendLine("| " + string.Join(" | ", row.Select((cell, i) => i == 7 && cell is "Slower" or "AllocatesMore" ? $"**{cell}**" : cell)) + " |");
        }
        else
        {
            int[] widths = [.. header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max())];
            string Line(string[] cells) => string.Join("  ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd();
            text.AppendLine(Line(header));
            foreach (string[] row in rows) text.AppendLine(Line(row));
        }

        int regressions = lines.Count(l => l.IsRegression);
        text.AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"{lines.Count} benchmarks compared (threshold {threshold * 100:0.##}%): ");
        text.Append(CultureInfo.InvariantCulture, $"{regressions} regressions, {lines.Count(l => l.Verdict == Verdict.Faster)} faster, {lines.Count(l => l.Verdict == Verdict.Same)} same");
        int unmatched = lines.Count(l => l.Verdict is Verdict.Missing or Verdict.Added);
        if (unmatched > 0) text.Append(CultureInfo.InvariantCulture, $", {unmatched} in one run only");
        text.AppendLine(".");
        return text.ToString();
    }

    private static string Time(double? nanoseconds) => nanoseconds switch
    {
        null => "-",
        < 1e3 => $"{nanoseconds.Value.ToString("0.0", CultureInfo.InvariantCulture)} ns",
        < 1e6 => $"{(nanoseconds.Value / 1e3).ToString("0.000", CultureInfo.InvariantCulture)} µs",
        < 1e9 => $"{(nanoseconds.Value / 1e6).ToString("0.000", CultureInfo.InvariantCulture)} ms",
        _ => $"{(nanoseconds.Value / 1e9).ToString("0.000", CultureInfo.InvariantCulture)} s",
    };

    private static string Bytes(long? bytes) => bytes is null ? "-" : $"{bytes.Value.ToString(CultureInfo.InvariantCulture)} B";
}
