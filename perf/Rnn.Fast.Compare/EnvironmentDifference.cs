namespace Rnn.Fast.Compare;

/// <summary>One field of the environment that the baseline and the current run recorded differently.</summary>
/// <param name="Field">The field's name as BenchmarkDotNet writes it (e.g. ProcessorName, RuntimeVersion).</param>
/// <param name="Baseline">Every value the baseline's reports recorded for it.</param>
/// <param name="Current">Every value the current run's reports recorded for it.</param>
public sealed record EnvironmentDifference(string Field, IReadOnlyList<string> Baseline, IReadOnlyList<string> Current);
