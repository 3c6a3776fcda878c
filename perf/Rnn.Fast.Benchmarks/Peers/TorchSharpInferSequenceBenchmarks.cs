using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace Rnn.Fast.Benchmarks.Peers;

/// <summary>
/// Workload infer-sequence in TorchSharp at every standard config: under no_grad, nn.RNN over T steps from
/// H_0 = 0 (torch's default when no state is passed), then nn.Linear on the last hidden state only.
/// </summary>
public class TorchSharpInferSequenceBenchmarks : TorchSharpPeerBenchmark
{
    private Tensor _inputs = null!;

    /// <summary>The standard config's name.</summary>
    [ParamsSource(nameof(Configs))]
    public string Config { get; set; } = "seed";

    /// <summary>Every config of bench-configs.json.</summary>
    public static IEnumerable<string> Configs() => BenchmarkConfig.All.Select(c => c.Name);

    /// <inheritdoc/>
    protected override string ConfigName => Config;

    /// <summary>Forward over T steps and the last step's output.</summary>
    [Benchmark]
    public void InferSequence()
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        Network.ForwardLastOutput(_inputs, initialHidden: null);
    }

    /// <inheritdoc/>
    public override double FlopsPerInvoke(string benchmarkMethod) =>
        benchmarkMethod == nameof(InferSequence) ? WorkloadFlops.InferSequence(BenchmarkConfig.Named(Config)) : 0;

    /// <inheritdoc/>
    protected override void Prepare() =>
        _inputs = Network.Sequence(Inputs.Inputs, Shape.SequenceLength, Shape.BatchSize, Shape.InputSize);

    /// <inheritdoc/>
    protected override void Release() => _inputs.Dispose();
}
