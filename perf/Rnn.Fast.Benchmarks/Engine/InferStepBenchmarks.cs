using BenchmarkDotNet.Attributes;
using Rnn.Fast.Benchmarks.Infrastructure;
using Rnn.Fast.Reference;

namespace Rnn.Fast.Benchmarks.Engine;

/// <summary>
/// Workload infer-step at every standard config (the latency case is stream: n = 1, d = 32, h = 128, o = 32): one
/// step with the hidden state carried from the previous call, output layer included.
/// </summary>
[Config(typeof(EngineBenchmarkConfig))]
public class InferStepBenchmarks : IFlopCount
{
    private EngineBenchmarkData _data = null!;

    /// <summary>The standard config (perf/bench-configs.json).</summary>
    [ParamsSource(nameof(Configs))]
    public string Config { get; set; } = "stream";

    /// <summary>Every standard config.</summary>
    public static IEnumerable<string> Configs => BenchmarkConfig.All.Select(c => c.Name);

    /// <summary>Builds the model, data and engines.</summary>
    [GlobalSetup]
    public void Setup() => _data = new EngineBenchmarkData(Config);

    /// <summary>Returns pooled buffers.</summary>
    [GlobalCleanup]
    public void Cleanup() => _data.Dispose();

    /// <summary>The fast engine: <see cref="RnnStreamingSession.Step"/> on the first step's inputs.</summary>
    [Benchmark]
    public float[] Fast()
    {
        int count = _data.Config.BatchSize * _data.Config.InputSize;
        _data.Session.Step(_data.Inputs.AsSpan(0, count), _data.Outputs);
        return _data.Outputs;
    }

    /// <summary>The reference: a one-step <see cref="ReferenceRnn.Forward"/> from the carried state, which it then carries on.</summary>
    [Benchmark(Baseline = true)]
    public ReferenceForwardPass Reference()
    {
        BenchmarkConfig c = _data.Config;
        ReferenceForwardPass pass = ReferenceRnn.Forward(_data.Shape, _data.ReferenceParameters,
            _data.ReferenceInputs.AsSpan(0, c.BatchSize * c.InputSize), 1, c.BatchSize, _data.ReferenceHidden);
        pass.HiddenState(1).CopyTo(_data.ReferenceHidden);
        return pass;
    }

    /// <inheritdoc/>
    public double FlopsPerInvoke(string benchmarkMethod) => WorkloadFlops.InferStep(BenchmarkConfig.Named(Config));
}
