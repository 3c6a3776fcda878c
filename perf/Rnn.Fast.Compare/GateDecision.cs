using System.Globalization;

namespace Rnn.Fast.Compare;

/// <summary>
/// Whether a comparison passes the regression gate: what fails it, and what would have failed it but was allowed.
/// A benchmark slower beyond the threshold or allocating more always fails it. A baseline benchmark missing from the
/// new run, or one that failed in it, fails it unless <c>allowMissing</c>; a different machine or runtime fails it
/// only under <c>strictEnvironment</c> (otherwise it is a warning).
/// </summary>
/// <param name="Failures">Why the gate fails, e.g. "2 slower"; empty when it passes.</param>
/// <param name="Allowed">What would fail it under stricter options, e.g. "1 missing from the current run (allowed by --allow-missing)".</param>
public sealed record GateDecision(IReadOnlyList<string> Failures, IReadOnlyList<string> Allowed)
{
    /// <summary>Whether nothing fails the gate.</summary>
    public bool Passes => Failures.Count == 0;

    /// <summary>The process exit code: 0 when the gate passes, 1 when it fails.</summary>
    public int ExitCode => Passes ? 0 : 1;

    /// <summary>Decides the gate for <paramref name="lines"/> and the environment <paramref name="differences"/>.</summary>
    /// <param name="lines">The comparison.</param>
    /// <param name="differences">The environment fields the baseline and the new run recorded differently.</param>
    /// <param name="allowMissing">Whether missing and failed benchmarks pass.</param>
    /// <param name="strictEnvironment">Whether a different environment fails.</param>
    public static GateDecision Decide(IReadOnlyList<BenchmarkComparison> lines, IReadOnlyList<EnvironmentDifference> differences,
        bool allowMissing, bool strictEnvironment)
    {
        var failures = new List<string>();
        var allowed = new List<string>();
        void Count(Verdict verdict, string what, bool fails, string? option)
        {
            int count = lines.Count(l => l.Verdict == verdict);
            if (count == 0) return;
            string text = string.Create(CultureInfo.InvariantCulture, $"{count} {what}");
            if (fails) failures.Add(text);
            else allowed.Add($"{text} (allowed by {option})");
        }

        Count(Verdict.Slower, "slower", fails: true, option: null);
        Count(Verdict.AllocatesMore, "allocating more", fails: true, option: null);
        Count(Verdict.Missing, "missing from the current run", !allowMissing, "--allow-missing");
        Count(Verdict.Failed, "failed in the current run", !allowMissing, "--allow-missing");
        if (differences.Count > 0)
        {
            string text = "a different environment";
            if (strictEnvironment) failures.Add(text + " (--strict-environment)");
            else allowed.Add(text + " (fails only with --strict-environment)");
        }

        return new GateDecision(failures, allowed);
    }
}
