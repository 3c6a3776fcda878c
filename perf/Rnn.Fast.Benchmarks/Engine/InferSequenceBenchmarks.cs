using BenchmarkDotNet.Attributes;
using Rnn.Fast.Benchmarks.Infrastructure;
using Rnn.Fast.Reference;

namespace Rnn.Fast.Benchmarks.Engine;

/// <summary>
/// Workload infer-sequence at every standard config: forward over T steps from H_0 = 0, the last step's outputs.
/// The reference is the baseline everywhere; at large it takes about 10 s per call (2048 rows of 1.6 M multiply-adds
/// in plain double loops, measured on the 2-core machine), so a default job spends 3–4 minutes on that config's
/// reference; add <c>--warmupCount 1 --iterationCount 3</c> to bound it.
/// </summary>
[Config(typeof(EngineBenchmarkConfig))]
public class InferSequenceBenchmarks : IFlopCount
{
    private EngineBenchmarkData _data = null!;

    /// <summary>The standard config (perf/bench-configs.json).</summary>
    [ParamsSource(nameof(Configs))]
    public string Config { get; set; } = "small";

    /// <summary>Every standard config.</summary>
    public static IEnumerable<string> Configs => BenchmarkConfig.All.Select(c => c.Name);

    /// <summary>Builds the model, data and engines.</summary>
    [GlobalSetup]
    public void Setup() => _data = new EngineBenchmarkData(Config);

    /// <summary>Returns pooled buffers.</summary>
    [GlobalCleanup]
    public void Cleanup() => _data.Dispose();

    /// <summary>The fast engine: <see cref="RnnWorkspace.Forward(ReadOnlySpan{float}, int, int, OutputSteps, Span{float})"/>.</summary>
    [Benchmark]
    public float[] Fast()
    {
        BenchmarkConfig c = _data.Config;
        _data.Workspace.Forward(_data.Inputs, c.SequenceLength, c.BatchSize, OutputSteps.LastStep, _data.Outputs);
        return _data.Outputs;
    }

    /// <summary>The reference: <see cref="ReferenceRnn.Forward"/> (it keeps every state and output, as it always does).</summary>
    [Benchmark(Baseline = true)]
    public ReferenceForwardPass Reference()
    {
        BenchmarkConfig c = _data.Config;
        return ReferenceRnn.Forward(_data.Shape, _data.ReferenceParameters, _data.ReferenceInputs, c.SequenceLength, c.BatchSize);
    }

    /// <inheritdoc/>
    public double FlopsPerInvoke(string benchmarkMethod) => WorkloadFlops.InferSequence(BenchmarkConfig.Named(Config));
}
