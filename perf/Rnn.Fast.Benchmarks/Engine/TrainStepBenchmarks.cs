using BenchmarkDotNet.Attributes;
using Rnn.Fast.Benchmarks.Infrastructure;
using Rnn.Fast.Reference;

namespace Rnn.Fast.Benchmarks.Engine;

/// <summary>
/// Workload train-step at seed, stream, small and medium: forward over T, MSE of the last output, BPTT, one SGD
/// step of every parameter. Large has its own class (<see cref="TrainStepLargeBenchmarks"/>) because its reference
/// takes 26–36 s per call; ds2 is an inference-only config (bench-configs.json).
/// </summary>
[Config(typeof(EngineBenchmarkConfig))]
public class TrainStepBenchmarks : IFlopCount
{
    /// <summary>A small learning rate: the parameters drift towards the fixed targets, the work per call stays the same.</summary>
    internal const float LearningRate = 1e-3f;

    private EngineBenchmarkData _data = null!;

    /// <summary>The standard config (perf/bench-configs.json).</summary>
    [Params("seed", "stream", "small", "medium")]
    public string Config { get; set; } = "medium";

    /// <summary>Builds the model, data and engines.</summary>
    [GlobalSetup]
    public void Setup() => _data = new EngineBenchmarkData(Config);

    /// <summary>Returns pooled buffers.</summary>
    [GlobalCleanup]
    public void Cleanup() => _data.Dispose();

    /// <summary>The fast engine: <see cref="RnnWorkspace.TrainStep(ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, LossKind, float, ReadOnlySpan{float})"/>.</summary>
    [Benchmark]
    public float Fast() => Train(_data);

    /// <summary>The reference: <see cref="ReferenceRnn.TrainStep"/>.</summary>
    [Benchmark(Baseline = true)]
    public double Reference() => TrainReference(_data);

    /// <inheritdoc/>
    public double FlopsPerInvoke(string benchmarkMethod) => WorkloadFlops.TrainStep(BenchmarkConfig.Named(Config));

    internal static float Train(EngineBenchmarkData data)
    {
        BenchmarkConfig c = data.Config;
        return data.Workspace.TrainStep(data.Inputs, c.SequenceLength, c.BatchSize, data.Targets, LossKind.LastOutputMeanSquaredError, LearningRate);
    }

    internal static double TrainReference(EngineBenchmarkData data)
    {
        BenchmarkConfig c = data.Config;
        return ReferenceRnn.TrainStep(data.Shape, data.ReferenceInputs, c.SequenceLength, c.BatchSize, data.ReferenceTargets,
            LossKind.LastOutputMeanSquaredError, LearningRate, data.ReferenceParameters);
    }
}
