using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;
using Rnn.Fast.Benchmarks.Engine;
using Rnn.Fast.Benchmarks.Infrastructure;

namespace Rnn.Fast.Benchmarks.Sweep;

/// <summary>
/// The shape sweep: the streaming step, the sequence forward and the training step at every batch size from 1 to 8 and
/// 16, and every hidden size of {16, 64, 96, 128, 130, 192, 200, 256} (one panel; multiples of 64 and of 16; 130, 150
/// and 200 with remainder panels of 2, 22 and 8 columns), with d = 40 and o = 8 off the multiples of 16. 72 cases per
/// workload, each reported in GFLOP/s: a batch size or a width that costs more than its work shows as a dip in the
/// column, and the regression gate watches every case. The reference is not run (it would take an hour).
/// </summary>
/// <remarks>
/// Each case is a short job (3 warm-up and 9 measured iterations of about 0.1 s each, one launch: a few seconds), so a
/// workload's 72 cases take a few minutes. Run one workload at a time, e.g. <c>--filter '*ShapeSweepStep*'</c>.
/// </remarks>
public abstract class ShapeSweepBenchmarks : IFlopCount
{
    /// <summary>d: off the multiples of 16.</summary>
    public const int InputSize = 40;

    /// <summary>o: off the multiples of 16 (one remainder tile of 8 columns).</summary>
    public const int OutputSize = 8;

    /// <summary>T of the sequence forward and the training step.</summary>
    public const int SequenceLength = 16;

    private RnnModel _model = null!;
    private RnnWorkspace _workspace = null!;
    private RnnStreamingSession _session = null!;
    private float[] _inputs = null!, _targets = null!, _outputs = null!;

    /// <summary>n, the batch: 1 to 8 and 16.</summary>
    [Params(1, 2, 3, 4, 5, 6, 7, 8, 16)]
    public int BatchSize { get; set; } = 1;

    /// <summary>h: one panel, multiples of 64 and of 16, and widths with remainder panels off the vector width.</summary>
    [Params(16, 64, 96, 128, 130, 192, 200, 256)]
    public int HiddenSize { get; set; } = 128;

    /// <summary>The shape as a benchmark config, for <see cref="WorkloadFlops"/>.</summary>
    protected BenchmarkConfig Shape => new("sweep", BatchSize, InputSize, HiddenSize, OutputSize, SequenceLength);

    /// <summary>Builds the model (seed 1), the inputs and targets (uniform in ±1, seed 1), the workspace and the session.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var shape = new RnnShape(InputSize, HiddenSize, OutputSize);
        _model = new RnnModel(shape, 1UL);
        _workspace = new RnnWorkspace(_model);
        _session = new RnnStreamingSession(_model, BatchSize);
        var random = new Random(1);
        _inputs = Uniform(random, SequenceLength * BatchSize * InputSize);
        _targets = Uniform(random, BatchSize * OutputSize);
        _outputs = new float[BatchSize * OutputSize];
    }

    /// <summary>Returns the workspace's buffers.</summary>
    [GlobalCleanup]
    public void Cleanup() => _workspace.Dispose();

    /// <inheritdoc/>
    public abstract double FlopsPerInvoke(string benchmarkMethod);

    /// <summary>One streaming step of n streams.</summary>
    protected float[] Step()
    {
        _session.Step(_inputs.AsSpan(0, BatchSize * InputSize), _outputs);
        return _outputs;
    }

    /// <summary>The forward pass over T steps, the last step's outputs.</summary>
    protected float[] Sequence()
    {
        _workspace.Forward(_inputs, SequenceLength, BatchSize, OutputSteps.LastStep, _outputs);
        return _outputs;
    }

    /// <summary>One training step: forward, MSE of the last output, BPTT, SGD.</summary>
    protected float Train() =>
        _workspace.TrainStep(_inputs, SequenceLength, BatchSize, _targets, LossKind.LastOutputMeanSquaredError, TrainStepBenchmarks.LearningRate);

    private static float[] Uniform(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}

/// <summary>The shape sweep of the streaming step (workload infer-step). See <see cref="ShapeSweepBenchmarks"/>.</summary>
[Config(typeof(ShapeSweepConfig))]
public class ShapeSweepStepBenchmarks : ShapeSweepBenchmarks
{
    /// <summary><see cref="RnnStreamingSession.Step"/> with the state carried from the previous call.</summary>
    [Benchmark]
    public float[] Fast() => Step();

    /// <inheritdoc/>
    public override double FlopsPerInvoke(string benchmarkMethod) => WorkloadFlops.InferStep(Shape);
}

/// <summary>The shape sweep of the sequence forward (workload infer-sequence, T = 16). See <see cref="ShapeSweepBenchmarks"/>.</summary>
[Config(typeof(ShapeSweepConfig))]
public class ShapeSweepSequenceBenchmarks : ShapeSweepBenchmarks
{
    /// <summary><see cref="RnnWorkspace.Forward(ReadOnlySpan{float}, int, int, OutputSteps, Span{float})"/> over T steps.</summary>
    [Benchmark]
    public float[] Fast() => Sequence();

    /// <inheritdoc/>
    public override double FlopsPerInvoke(string benchmarkMethod) => WorkloadFlops.InferSequence(Shape);
}

/// <summary>The shape sweep of the training step (workload train-step, T = 16). See <see cref="ShapeSweepBenchmarks"/>.</summary>
[Config(typeof(ShapeSweepConfig))]
public class ShapeSweepTrainStepBenchmarks : ShapeSweepBenchmarks
{
    /// <summary><see cref="RnnWorkspace.TrainStep(ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, LossKind, float, ReadOnlySpan{float})"/>.</summary>
    [Benchmark]
    public float Fast() => Train();

    /// <inheritdoc/>
    public override double FlopsPerInvoke(string benchmarkMethod) => WorkloadFlops.TrainStep(Shape);
}

/// <summary>
/// The sweep's job and columns: 3 warm-up and 9 measured iterations of about 0.1 s in one launch (enough for a median
/// that shows a cliff of tens of percent; the standard suites' default jobs would take hours over 216 cases), the median,
/// allocated bytes (0 for every case), GFLOP/s and % of peak. A <c>--job</c> on the command line (such as <c>Dry</c>) replaces the job.
/// </summary>
public sealed class ShapeSweepConfig : ManualConfig
{
    /// <summary>Adds the short job, the memory diagnoser and the columns.</summary>
    public ShapeSweepConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(9).WithIterationTime(TimeInterval.FromMilliseconds(100))
            .WithId("sweep").AsDefault());
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median);
        AddColumn(new GflopsColumn(percentOfPeak: false), new GflopsColumn(percentOfPeak: true));
    }
}
