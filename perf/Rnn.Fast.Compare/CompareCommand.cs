using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Rnn.Fast.Compare;

/// <summary>
/// <c>rnn-bench-compare BASELINE CURRENT [--threshold 10%] [--significance 0.05] [--markdown] [--allow-missing]
/// [--strict-environment]</c>: exit code 0 when the gate passes, 1 when it fails (a regression, a missing or failed
/// benchmark, or a different environment under <c>--strict-environment</c>), 2 on a usage or input error.
/// </summary>
public static class CompareCommand
{
    /// <summary>The exit code of a usage error or of a file that is not a report.</summary>
    public const int UsageErrorExitCode = 2;

    private const string Name = "rnn-bench-compare";

    private const string Description = """
        Compares a run of the benchmark suites with a baseline, both BenchmarkDotNet full JSON reports, and decides
        the regression gate. A benchmark is slower when its launch medians are significantly above the baseline's
        stretched by the threshold (one-sided Mann-Whitney test).

        Exit code: 0 the gate passes; 1 a benchmark is slower beyond the threshold or allocates more, a baseline
        benchmark is missing from the current run or failed in it (unless --allow-missing), or the runs' machine or
        runtime differ under --strict-environment; 2 a usage error or a file that is not a report.

        Example:
          rnn-bench-compare perf/baselines/zen5-avx512 perf/artifacts/results --markdown
        """;

    /// <summary>Runs the command; returns the exit code.</summary>
    /// <param name="args">The command line, without the program's name.</param>
    /// <param name="output">Where the comparison (or the help) goes.</param>
    /// <param name="error">Where a usage or input error goes, as one line.</param>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var baseline = new Argument<string>("BASELINE")
        {
            Description = "The baseline: a full JSON report (--exporters fulljson), or a folder holding report-full.json or " +
                "*-report-full.json files (perf/baselines/NAME, an artifacts folder); several reports' launches add up.",
        };
        var current = new Argument<string>("CURRENT") { Description = "The run to judge, in the same forms." };
        var threshold = new Option<double>("--threshold")
        {
            HelpName = "PERCENT",
            Description = "The slowdown that counts as a regression, e.g. 10% or 0.1.",
            DefaultValueFactory = _ => 0.10,
            CustomParser = result => ParseFraction(result, "--threshold"),
        };
        var significance = new Option<double>("--significance")
        {
            HelpName = "P",
            Description = "The largest one-sided Mann-Whitney p-value that counts as significant.",
            DefaultValueFactory = _ => 0.05,
            CustomParser = ParseSignificance,
        };
        var markdown = new Option<bool>("--markdown") { Description = "Print a markdown table (for pull-request comments)." };
        var allowMissing = new Option<bool>("--allow-missing")
        {
            Description = "Pass when baseline benchmarks are missing from the current run or failed in it (they are still listed).",
        };
        var strictEnvironment = new Option<bool>("--strict-environment")
        {
            Description = "Fail when the runs' machine or runtime differ (CPU, core counts, OS, runtime, JIT, instruction sets); " +
                "without it, a difference is a warning.",
        };
        var command = new Command(Name, Description)
        {
            baseline, current, threshold, significance, markdown, allowMissing, strictEnvironment, new HelpOption(),
        };
        command.SetAction(parsed =>
        {
            try
            {
                BenchmarkRun before = BenchmarkReportReader.Read(parsed.GetRequiredValue(baseline));
                BenchmarkRun after = BenchmarkReportReader.Read(parsed.GetRequiredValue(current));
                double stretch = parsed.GetValue(threshold);
                var lines = BenchmarkComparison.Compare(before.Results, after.Results, stretch, parsed.GetValue(significance));
                var differences = after.Environment.DifferencesFrom(before.Environment);
                var gate = GateDecision.Decide(lines, differences, parsed.GetValue(allowMissing), parsed.GetValue(strictEnvironment));
                output.Write(ComparisonReport.Render(lines, differences, gate, stretch, parsed.GetValue(markdown)));
                return gate.ExitCode;
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException or IOException or UnauthorizedAccessException)
            {
                return Fail(error, e.Message);
            }
        });

        ParseResult parsed = command.Parse(args);
        if (parsed.Action is not HelpAction && UsageError(args, parsed, baseline, current) is string message)
        {
            return Fail(error, message);
        }

        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    /// <summary>
    /// The first thing wrong with the command line, as one sentence, or null. System.CommandLine lets an argument take
    /// an unknown option's token as its value, so option-like values are reported as unknown options first.
    /// </summary>
    private static string? UsageError(IReadOnlyList<string> args, ParseResult parsed, Argument<string> baseline, Argument<string> current)
    {
        int endOfOptions = args.ToList().IndexOf("--");
        string[] positional = [.. Tokens(parsed.GetResult(baseline)), .. Tokens(parsed.GetResult(current)), .. parsed.UnmatchedTokens];
        string? unknown = positional.FirstOrDefault(token => token.Length > 1 && token.StartsWith('-')
            && (endOfOptions < 0 || args.Skip(endOfOptions + 1).All(arg => arg != token)));
        if (unknown is not null) return $"unknown option '{unknown}'.";
        if (positional.Length != 2) return $"expected two reports (baseline and current), got {positional.Length}.";
        return parsed.Errors.Count > 0 ? string.Join(" ", parsed.Errors.Select(e => e.Message).Distinct()) : null;
    }

    private static IEnumerable<string> Tokens(ArgumentResult? result) => result?.Tokens.Select(t => t.Value) ?? [];

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine($"{Name}: {message.ReplaceLineEndings(" ")}");
        return UsageErrorExitCode;
    }

    private static double ParseSignificance(ArgumentResult result)
    {
        double value = ParseFraction(result, "--significance");
        if (value is <= 0 or >= 1 && !result.Errors.Any()) result.AddError($"--significance must be between 0 and 1, not {result.Tokens.Single().Value}.");
        return value;
    }

    private static double ParseFraction(ArgumentResult result, string option)
    {
        string text = result.Tokens.Single().Value;
        bool percent = text.EndsWith('%');
        if (!double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || !double.IsFinite(value) || value < 0)
        {
            result.AddError($"{option} needs a non-negative number or percentage, not '{text}'.");
            return 0;
        }

        return percent ? value / 100 : value;
    }
}
