using BenchmarkDotNet.Attributes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rnn.Fast.Benchmarks.Peers;

/// <summary>
/// Workload train-step in TorchSharp at every config that trains (all but ds2, an inference-only shape): zero the
/// gradients, nn.RNN over T steps from H_0 = 0, nn.Linear on the last state, mse_loss (mean) against the targets,
/// backward, one plain SGD step (learning rate 1e−3, as the reference's benchmark).
/// </summary>
/// <remarks>torch's nn.RNN has two hidden biases and SGD moves both: the update differs from a one-bias engine's
/// in bh (by a factor of 2), which changes no cost.</remarks>
public class TorchSharpTrainStepBenchmarks : TorchSharpPeerBenchmark
{
    private const double LearningRate = 1e-3;
    private Tensor _inputs = null!;
    private Tensor _targets = null!;
    private SGD _optimizer = null!;

    /// <summary>The standard config's name.</summary>
    [ParamsSource(nameof(Configs))]
    public string Config { get; set; } = "seed";

    /// <summary>Every config of bench-configs.json but ds2, whose workloads are inference only.</summary>
    public static IEnumerable<string> Configs() => BenchmarkConfig.All.Select(c => c.Name).Where(name => name != "ds2");

    /// <inheritdoc/>
    protected override string ConfigName => Config;

    /// <summary>Forward, MSE of the last output, BPTT, one SGD step.</summary>
    [Benchmark]
    public void TrainStep()
    {
        using DisposeScope scope = NewDisposeScope();
        _optimizer.zero_grad();
        (Tensor lastOutput, _) = Network.ForwardLastOutput(_inputs, initialHidden: null);
        nn.functional.mse_loss(lastOutput, _targets, nn.Reduction.Mean).backward();
        _optimizer.step();
    }

    /// <inheritdoc/>
    public override double FlopsPerInvoke(string benchmarkMethod) =>
        benchmarkMethod == nameof(TrainStep) ? WorkloadFlops.TrainStep(BenchmarkConfig.Named(Config)) : 0;

    /// <inheritdoc/>
    protected override void Prepare()
    {
        _inputs = Network.Sequence(Inputs.Inputs, Shape.SequenceLength, Shape.BatchSize, Shape.InputSize);
        _targets = tensor(Inputs.Targets, [Shape.BatchSize, Shape.OutputSize], dtype: ScalarType.Float32);
        _optimizer = optim.SGD(Network.Parameters, LearningRate);
    }

    /// <inheritdoc/>
    protected override void Release()
    {
        _optimizer.Dispose();
        _inputs.Dispose();
        _targets.Dispose();
    }
}
