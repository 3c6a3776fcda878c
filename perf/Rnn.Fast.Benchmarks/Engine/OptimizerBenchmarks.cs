using BenchmarkDotNet.Attributes;
using Rnn.Fast.Benchmarks.Infrastructure;
using Rnn.Fast.Interop;

namespace Rnn.Fast.Benchmarks.Engine;

/// <summary>
/// What each optimizer costs on top of the training step: the plain step (the baseline: plain SGD,
/// <c>p ← p − lr·g</c>), SGD with Nesterov momentum and weight decay (one more stream, the buffer), Adam and AdamW (two
/// more, the moments, and a square root and a division per parameter), and AdamW with AMSGrad, a cosine schedule,
/// the biases in a group without decay, clipping by value and by norm and the guard (every option at once). Each is
/// one fused pass over the flat parameter buffer (a few passes with groups), so the Ratio column is the optimizer's
/// share of a step: small where the step's GEMMs dominate (large), visible where the model is small (seed).
/// </summary>
[Config(typeof(EngineBenchmarkConfig))]
public class OptimizerBenchmarks : IFlopCount
{
    private static readonly TrainingOptions Momentum = new(TrainStepBenchmarks.LearningRate)
    {
        Optimizer = new SgdOptimizer { Momentum = 0.9, Nesterov = true, WeightDecay = 1e-4 },
    };

    private static readonly TrainingOptions Adam = new(TrainStepBenchmarks.LearningRate) { Optimizer = new AdamOptimizer() };

    private static readonly TrainingOptions AdamW = new(TrainStepBenchmarks.LearningRate) { Optimizer = new AdamWOptimizer() };

    private static readonly TrainingOptions Everything = new(TrainStepBenchmarks.LearningRate)
    {
        Optimizer = new AdamWOptimizer { AmsGrad = true },
        Schedule = new CosineAnnealingSchedule(1_000_000, 1e-6),
        ParameterGroups = [new ParameterGroup(RnnParameter.Bh, RnnParameter.Bo) { WeightDecay = 0 }],
        MaxGradientValue = 1e3f,
        MaxGradientNorm = 1e6f,
        GuardNonFinite = true,
    };

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

    /// <summary>The plain step: plain SGD.</summary>
    [Benchmark(Baseline = true)]
    public float Plain() => TrainStepBenchmarks.Train(_data);

    /// <summary>SGD with Nesterov momentum 0.9 and weight decay 1e−4.</summary>
    [Benchmark]
    public float SgdNesterov() => Run(Momentum);

    /// <summary>Adam with torch's defaults.</summary>
    [Benchmark(Description = "Adam")]
    public float AdamStep() => Run(Adam);

    /// <summary>AdamW with torch's defaults (weight decay 0.01).</summary>
    [Benchmark(Description = "AdamW")]
    public float AdamWStep() => Run(AdamW);

    /// <summary>AdamW with AMSGrad, a cosine schedule, a bias group, both clippings and the guard.</summary>
    [Benchmark]
    public float AdamWEverything() => Run(Everything);

    /// <inheritdoc/>
    public double FlopsPerInvoke(string benchmarkMethod) => WorkloadFlops.TrainStep(BenchmarkConfig.Named(Config));

    private float Run(TrainingOptions options)
    {
        BenchmarkConfig c = _data.Config;
        return _data.Workspace.TrainStep(_data.Inputs, c.SequenceLength, c.BatchSize, _data.Targets, LossKind.LastOutputMeanSquaredError, options).Loss;
    }
}
