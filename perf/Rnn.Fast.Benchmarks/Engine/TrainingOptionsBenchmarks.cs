using BenchmarkDotNet.Attributes;
using Rnn.Fast.Benchmarks.Infrastructure;

namespace Rnn.Fast.Benchmarks.Engine;

/// <summary>
/// What the training step's options cost: the plain step (the baseline), the non-finite guard, clipping by global
/// norm, and both. The guard scans the inputs, targets and gradients; clipping adds a double-accumulated norm and
/// (here always, since the maximum is tiny) one scaling pass over the gradients. Off is the plain step itself, so the
/// Ratio column is the cost of turning each on.
/// </summary>
[Config(typeof(EngineBenchmarkConfig))]
public class TrainingOptionsBenchmarks : IFlopCount
{
    private static readonly TrainingOptions Guarded = new(TrainStepBenchmarks.LearningRate) { GuardNonFinite = true };
    private static readonly TrainingOptions Clipped = new(TrainStepBenchmarks.LearningRate) { MaxGradientNorm = 1e-6f };
    private static readonly TrainingOptions GuardedAndClipped = Guarded with { MaxGradientNorm = 1e-6f };

    private EngineBenchmarkData _data = null!;

    /// <summary>The standard configs that train (ds2 is inference-only).</summary>
    [Params("seed", "small", "medium", "large")]
    public string Config { get; set; } = "medium";

    /// <summary>Builds the model and data.</summary>
    [GlobalSetup]
    public void Setup() => _data = new EngineBenchmarkData(Config);

    /// <summary>Returns pooled buffers.</summary>
    [GlobalCleanup]
    public void Cleanup() => _data.Dispose();

    /// <summary>The plain step: no guard, no clipping.</summary>
    [Benchmark(Baseline = true)]
    public float Plain() => TrainStepBenchmarks.Train(_data);

    /// <summary>With <see cref="TrainingOptions.GuardNonFinite"/>.</summary>
    [Benchmark]
    public float Guard() => Run(Guarded);

    /// <summary>With <see cref="TrainingOptions.MaxGradientNorm"/> small enough that every step clips.</summary>
    [Benchmark]
    public float Clip() => Run(Clipped);

    /// <summary>With both.</summary>
    [Benchmark]
    public float GuardAndClip() => Run(GuardedAndClipped);

    /// <inheritdoc/>
    public double FlopsPerInvoke(string benchmarkMethod) => WorkloadFlops.TrainStep(BenchmarkConfig.Named(Config));

    private float Run(TrainingOptions options)
    {
        BenchmarkConfig c = _data.Config;
        return _data.Workspace.TrainStep(_data.Inputs, c.SequenceLength, c.BatchSize, _data.Targets, LossKind.LastOutputMeanSquaredError, options).Loss;
    }
}
