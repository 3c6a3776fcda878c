namespace Rnn.Fast.Compare;

/// <summary>What one or more BenchmarkDotNet full JSON reports hold: a result per benchmark.</summary>
/// <param name="Results">One result per benchmark, failed benchmarks included (without measurements).</param>
public sealed record BenchmarkRun(IReadOnlyList<BenchmarkResult> Results);
