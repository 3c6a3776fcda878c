namespace Rnn.Fast.Compare;

/// <summary>What one or more BenchmarkDotNet full JSON reports hold: a result per benchmark and the environment they ran in.</summary>
/// <param name="Results">One result per benchmark, failed benchmarks included (without measurements).</param>
/// <param name="Environment">The machine and runtime, every value the reports recorded.</param>
public sealed record BenchmarkRun(IReadOnlyList<BenchmarkResult> Results, RunEnvironment Environment);
