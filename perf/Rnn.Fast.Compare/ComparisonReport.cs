using System.Globalization;
using System.Text;

namespace Rnn.Fast.Compare;

/// <summary>Prints a comparison as an aligned text table or as a markdown table for pull-request comments.</summary>
public static class ComparisonReport
{
    /// <summary>Renders the table, the environment warning (when the runs' environments differ), a summary line and the gate's decision.</summary>
    /// <param name="lines">The comparison.</param>
    /// <param name="differences">The environment fields that differ; none prints no warning.</param>
    /// <param name="gate">The gate's decision.</param>
    /// <param name="threshold">The threshold the verdicts used.</param>
    /// <param name="markdown">Markdown (for pull-request comments) instead of aligned text.</param>
    public static string Render(IReadOnlyList<BenchmarkComparison> lines, IReadOnlyList<EnvironmentDifference> differences, GateDecision gate,
        double threshold, bool markdown)
    {
        string[] header = ["Benchmark", "Baseline median", "Current median", "Ratio", "Baseline alloc", "Current alloc", "p", "Verdict"];
        var rows = lines.Select(l => new[]
        {
            l.FullName,
            Time(l.Baseline?.Median),
            l.Verdict == Verdict.Failed ? "failed" : Time(l.Current?.Median),
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
            foreach (string[] row in rows) text.AppendLine("| " + string.Join(" | ", row.Select((cell, i) => i == 7 && cell is "Slower" or "AllocatesMore" or "Missing" or "Failed" ? $"**{cell}**" : cell)) + " |");
        }
        else
        {
            int[] widths = [.. header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max())];
            string Line(string[] cells) => string.Join("  ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd();
            text.AppendLine(Line(header));
            foreach (string[] row in rows) text.AppendLine(Line(row));
        }

        text.AppendLine();
        if (differences.Count > 0)
        {
            const string Warning = "the baseline and the current run were measured on a different machine or runtime, so their timings may not be comparable:";
            text.AppendLine(markdown ? $"> **Warning:** {Warning}" : $"warning: {Warning}");
            if (markdown) text.AppendLine(">");
            foreach (EnvironmentDifference difference in differences)
            {
                string line = $"{difference.Field}: baseline {Values(difference.Baseline, markdown)}, current {Values(difference.Current, markdown)}";
                text.AppendLine(markdown ? $"> - {line}" : $"  {line}");
            }

            text.AppendLine();
        }

        int regressions = lines.Count(l => l.IsRegression);
        text.Append(CultureInfo.InvariantCulture, $"{lines.Count} benchmarks compared (threshold {threshold * 100:0.##}%): ");
        text.Append(CultureInfo.InvariantCulture, $"{regressions} regressions, {lines.Count(l => l.Verdict == Verdict.Faster)} faster, {lines.Count(l => l.Verdict == Verdict.Same)} same");
        foreach ((Verdict verdict, string what) in new[] { (Verdict.Added, "added"), (Verdict.Missing, "missing"), (Verdict.Failed, "failed") })
        {
            int count = lines.Count(l => l.Verdict == verdict);
            if (count > 0) text.Append(CultureInfo.InvariantCulture, $", {count} {what}");
        }

        text.AppendLine(".");
        text.Append(gate.Passes ? "Gate: pass" : "Gate: fail: " + string.Join(", ", gate.Failures));
        if (gate.Allowed.Count > 0) text.Append("; allowed: " + string.Join(", ", gate.Allowed));
        text.AppendLine(".");
        return text.ToString();
    }

    private static string Values(IReadOnlyList<string> values, bool markdown) =>
        string.Join(" | ", values.Select(v => v.Length == 0 ? "(none)" : markdown ? $"`{v}`" : $"'{v}'"));

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
