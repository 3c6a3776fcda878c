using System.Globalization;

namespace Rnn.Fast.Compare;

/// <summary>
/// <c>rnn-bench-compare BASELINE CURRENT [--threshold 10%] [--significance 0.05] [--markdown]</c>: exit code 0
/// when nothing regressed, 1 when a benchmark is slower beyond the threshold or allocates more, 2 on a usage or
/// input error.
/// </summary>
public static class CompareCommand
{
    /// <summary>The usage text.</summary>
    public const string Usage = """
        usage: rnn-bench-compare BASELINE CURRENT [--threshold PERCENT] [--significance P] [--markdown]

          BASELINE, CURRENT  a BenchmarkDotNet full JSON report (from --exporters fulljson), or a folder holding
                             report-full.json or *-report-full.json files (perf/baselines/NAME, an artifacts folder)
          --threshold        the slowdown that counts as a regression, e.g. 10% or 0.1 (default 10%)
          --significance     the largest one-sided Mann-Whitney p-value that counts as significant (default 0.05)
          --markdown         print a markdown table (for pull-request comments)

        exit code: 0 no regression, 1 a benchmark is slower beyond the threshold or allocates more, 2 usage error
        """;

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        try
        {
            var paths = new List<string>();
            double threshold = 0.10, significance = 0.05;
            bool markdown = false;
            for (int i = 0; i < args.Count; i++)
            {
                switch (args[i])
                {
                    case "--help" or "-h":
                        output.WriteLine(Usage);
                        return 0;
                    case "--markdown":
                        markdown = true;
                        break;
                    case "--threshold":
                        threshold = ParseFraction(Value(args, ref i), "--threshold");
                        break;
                    case "--significance":
                        significance = ParseFraction(Value(args, ref i), "--significance");
                        if (significance is <= 0 or >= 1) throw new ArgumentException($"--significance must be between 0 and 1, not {args[i]}.");
                        break;
                    default:
                        if (args[i].StartsWith('-')) throw new ArgumentException($"unknown option '{args[i]}'.");
                        paths.Add(args[i]);
                        break;
                }
            }

            if (paths.Count != 2) throw new ArgumentException($"expected two reports (baseline and current), got {paths.Count}.");
            var lines = BenchmarkComparison.Compare(BenchmarkReportReader.Read(paths[0]), BenchmarkReportReader.Read(paths[1]), threshold, significance);
            output.Write(ComparisonReport.Render(lines, threshold, markdown));
            return lines.Any(l => l.IsRegression) ? 1 : 0;
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException)
        {
            error.WriteLine($"rnn-bench-compare: {e.Message}");
            return 2;
        }
    }

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");

    private static double ParseFraction(string text, string option)
    {
        bool percent = text.EndsWith('%');
        if (!double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || !double.IsFinite(value) || value < 0)
        {
            throw new ArgumentException($"{option} needs a non-negative number or percentage, not '{text}'.");
        }

        return percent ? value / 100 : value;
    }
}
