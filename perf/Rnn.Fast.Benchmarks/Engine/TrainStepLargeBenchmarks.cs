using BenchmarkDotNet.Attributes;
using Rnn.Fast.Benchmarks.Infrastructure;

namespace Rnn.Fast.Benchmarks.Engine;

/// <summary>
/// Workload train-step at large (n = 64, d = 256, h = 1024, o = 256, T = 32), apart from the smaller configs because
/// the reference takes tens of seconds per call (2048 rows of some 1.6 M multiply-adds forward and twice that backward,
/// in plain double loops), so a default job spends several minutes on it. Bound the run with <c>--filter '*TrainStepLarge*' --warmupCount 1 --iterationCount 3</c> (about 2 minutes;
/// the speed-up ratio, expected in the tens, needs no more), and take the fast engine's own figure from a normal job
/// (<c>--filter '*TrainStepLarge*Fast*'</c>).
/// </summary>
[Config(typeof(EngineBenchmarkConfig))]
public class TrainStepLargeBenchmarks : IFlopCount
{
    private EngineBenchmarkData _data = null!;

    /// <summary>The standard config: large only.</summary>
    [Params("large")]
    public string Config { get; set; } = "large";

    /// <summary>Builds the model, data and engines.</summary>
    [GlobalSetup]
    public void Setup() => _data = new EngineBenchmarkData(Config);

    /// <summary>Returns pooled buffers.</summary>
    [GlobalCleanup]
    public void Cleanup() => _data.Dispose();

    /// <summary>The fast engine: <see cref="RnnWorkspace.TrainStep(ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, LossKind, float, ReadOnlySpan{float})"/>.</summary>
    [Benchmark]
    public float Fast() => TrainStepBenchmarks.Train(_data);

    /// <summary>The reference: <see cref="Reference.ReferenceRnn.TrainStep"/>.</summary>
    [Benchmark(Baseline = true)]
    public double Reference() => TrainStepBenchmarks.TrainReference(_data);

    /// <inheritdoc/>
    public double FlopsPerInvoke(string benchmarkMethod) => WorkloadFlops.TrainStep(BenchmarkConfig.Named(Config));
}
