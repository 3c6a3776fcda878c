using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace Rnn.Fast.Benchmarks.Peers;

/// <summary>
/// Workload infer-step in TorchSharp at the stream config: under no_grad, one nn.RNN step from the carried hidden
/// state and nn.Linear on the new state; the new state is copied into the carried one for the next call.
/// </summary>
public class TorchSharpInferStepBenchmarks : TorchSharpPeerBenchmark
{
    private Tensor _input = null!;
    private Tensor _hidden = null!;

    /// <summary>The standard config's name.</summary>
    [Params("stream")]
    public string Config { get; set; } = "stream";

    /// <inheritdoc/>
    protected override string ConfigName => Config;

    /// <summary>One step with the carried hidden state, and its output.</summary>
    [Benchmark]
    public void InferStep()
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        (_, Tensor hidden) = Network.ForwardLastOutput(_input, _hidden);
        _hidden.copy_(hidden);
    }

    /// <inheritdoc/>
    public override double FlopsPerInvoke(string benchmarkMethod) =>
        benchmarkMethod == nameof(InferStep) ? WorkloadFlops.InferStep(BenchmarkConfig.Named(Config)) : 0;

    /// <inheritdoc/>
    protected override void Prepare()
    {
        int n = Shape.BatchSize, d = Shape.InputSize;
        _input = Network.Sequence(Inputs.Inputs.AsSpan(0, n * d), 1, n, d); // X_1
        _hidden = zeros([1, n, Shape.HiddenSize], dtype: ScalarType.Float32);
    }

    /// <inheritdoc/>
    protected override void Release()
    {
        _input.Dispose();
        _hidden.Dispose();
    }
}
