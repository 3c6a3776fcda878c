using BenchmarkDotNet.Attributes;
using Rnn.Fast.Reference;

namespace Rnn.Fast.Benchmarks;

/// <summary>
/// The naive reference (double, plain loops) at the small standard shapes: the floor every fast path is measured
/// against. Only seed and small: at medium and beyond a reference training step takes seconds.
/// </summary>
[MemoryDiagnoser]
public class ReferenceBenchmarks
{
    private RnnShape _shape = null!;
    private double[] _parameters = [];
    private double[] _inputs = [];
    private double[] _targets = [];
    private int _sequenceLength;
    private int _batchSize;

    /// <summary>The standard shape's name.</summary>
    [Params("seed", "small")]
    public string Config { get; set; } = "seed";

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkConfig c = BenchmarkConfig.Named(Config);
        _shape = c.Shape;
        _sequenceLength = c.SequenceLength;
        _batchSize = c.BatchSize;
        _parameters = ReferenceRnn.Widen(ParameterInitialization.CreateUniform(_shape, 1));
        var random = new Random(1);
        _inputs = [.. Enumerable.Range(0, c.SequenceLength * c.BatchSize * c.InputSize).Select(_ => 2 * random.NextDouble() - 1)];
        _targets = [.. Enumerable.Range(0, c.BatchSize * c.OutputSize).Select(_ => 2 * random.NextDouble() - 1)];
    }

    /// <summary>Workload infer-sequence: forward over T steps from H_0 = 0, keeping every state and output.</summary>
    [Benchmark]
    public ReferenceForwardPass Forward() =>
        ReferenceRnn.Forward(_shape, _parameters, _inputs, _sequenceLength, _batchSize);

    /// <summary>Workload train-step: forward, MSE of the last output, BPTT, one gradient-descent step.</summary>
    [Benchmark]
    public double TrainStep() =>
        // A small learning rate: the parameters drift towards the fixed targets but the work per call stays the same.
        ReferenceRnn.TrainStep(_shape, _inputs, _sequenceLength, _batchSize, _targets,
            LossKind.LastOutputMeanSquaredError, 1e-3, _parameters);
}
