namespace Rnn.Fast.Cli.Bench;

/// <summary>One timed workload at one config.</summary>
/// <param name="Config">The shape.</param>
/// <param name="Workload">The workload.</param>
/// <param name="Flops">Floating-point operations per call (<see cref="WorkloadFlops"/>).</param>
/// <param name="MedianSeconds">The fast engine's median time per call.</param>
/// <param name="ReferenceMedianSeconds">The reference's median time per call, or null when it was skipped.</param>
/// <param name="Note">Why the reference was skipped, or null.</param>
public sealed record BenchResult(BenchConfig Config, BenchWorkload Workload, double Flops, double MedianSeconds, double? ReferenceMedianSeconds, string? Note)
{
    /// <summary>The fast engine's rate in GFLOP/s.</summary>
    public double Gflops => Flops / MedianSeconds / 1e9;

    /// <summary>How many times faster the fast engine is than the reference, or null.</summary>
    public double? SpeedUp => ReferenceMedianSeconds / MedianSeconds;

    /// <summary>The workload's name as in perf/bench-configs.json.</summary>
    public string WorkloadName => Workload switch
    {
        BenchWorkload.InferSequence => "infer-sequence",
        BenchWorkload.InferStep => "infer-step",
        _ => "train-step",
    };
}
