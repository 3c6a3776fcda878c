using BenchmarkDotNet.Attributes;
using Rnn.Fast.Benchmarks.Infrastructure;
using Rnn.Fast.Torch;
using TorchSharp;

namespace Rnn.Fast.Benchmarks.Peers;

/// <summary>
/// What the TorchSharp peer benchmarks share: the network in float32 with our parameters
/// (<see cref="BenchmarkInputs"/>, the same values every engine starts from), and libtorch's thread count — 1, the
/// fair comparison with our single-threaded engine, and libtorch's default (one per core here).
/// </summary>
/// <remarks>
/// libtorch's intra-op thread pool is process-wide: each benchmark sets it in its global setup and restores the
/// previous value in its cleanup. Every invocation runs inside a dispose scope, so the tensors it creates are freed
/// at its end rather than by the finalizer in some later iteration. The % of peak column is relative to one
/// core's FMA peak; at more than one thread it may exceed 100%.
/// </remarks>
[Config(typeof(KernelBenchmarkConfig))]
[BenchmarkCategory("Peers")]
public abstract class TorchSharpPeerBenchmark : IFlopCount
{
    private static readonly Lazy<int> s_defaultThreads = new(torch.get_num_threads);
    private int _threadsBefore;

    /// <summary>libtorch's intra-op threads for this benchmark.</summary>
    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; } = 1;

    /// <summary>1 and libtorch's default thread count (read before anything changes it), once when they agree.</summary>
    public static IEnumerable<int> ThreadCounts() =>
        s_defaultThreads.Value == 1 ? [1] : [1, s_defaultThreads.Value];

    /// <summary>The network, float32, built from <see cref="Inputs"/>' parameters.</summary>
    protected TorchElmanNetwork Network { get; private set; } = null!;

    /// <summary>The standard config being measured.</summary>
    protected BenchmarkConfig Shape { get; private set; } = null!;

    /// <summary>The parameters, inputs and targets every engine uses at <see cref="Shape"/>.</summary>
    protected BenchmarkInputs Inputs { get; private set; } = null!;

    /// <summary>The name of the config being measured (each benchmark's own <c>Config</c> parameter).</summary>
    protected abstract string ConfigName { get; }

    /// <inheritdoc/>
    public abstract double FlopsPerInvoke(string benchmarkMethod);

    /// <summary>Sets libtorch's thread count, builds the network and lets the benchmark prepare its tensors.</summary>
    [GlobalSetup]
    public void SetUp()
    {
        _threadsBefore = torch.get_num_threads();
        torch.set_num_threads(Threads);
        Shape = BenchmarkConfig.Named(ConfigName);
        Inputs = BenchmarkInputs.For(Shape);
        Network = new TorchElmanNetwork(Shape.Shape, Inputs.Parameters);
        Prepare();
    }

    /// <summary>Frees the tensors and restores libtorch's thread count.</summary>
    [GlobalCleanup]
    public void CleanUp()
    {
        Release();
        Network.Dispose();
        torch.set_num_threads(_threadsBefore);
    }

    /// <summary>Creates the tensors the benchmark reuses across invocations (inputs, state, optimizer).</summary>
    protected abstract void Prepare();

    /// <summary>Disposes what <see cref="Prepare"/> created.</summary>
    protected abstract void Release();
}
