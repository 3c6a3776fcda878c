using BenchmarkDotNet.Attributes;
using Rnn.Fast.Benchmarks.Infrastructure;
using Rnn.Fast.Kernels;

namespace Rnn.Fast.Benchmarks.Kernels;

/// <summary>
/// The latency case at kernel level: one recurrent step at batch 1, a = bh; a += x·Wxh; a += h·Whh; h = tanh(a),
/// with the weights packed once (as the engine keeps them) — the stream config's hidden update without the output
/// layer (the engine's InferStepBenchmarks include that). At d = 32, h = 128 the weights are 80 KiB: more than the
/// 48 KiB L1, so every step streams them from L2.
/// </summary>
[Config(typeof(KernelBenchmarkConfig))]
public class RecurrentStepBenchmarks : IFlopCount
{
    private float[] _x = [], _hidden = [], _bias = [], _preActivation = [];
    private PackedMatrix _wxh = null!, _whh = null!;
    private BenchmarkConfig _config = null!;

    /// <summary>The standard configs whose batch is 1 and which stream one step at a time.</summary>
    [Params("stream", "ds2")]
    public string Config { get; set; } = "stream";

    /// <summary>Seeded weights and state, packed once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _config = BenchmarkConfig.Named(Config);
        int d = _config.InputSize, h = _config.HiddenSize;
        var random = new Random(1);
        float[] Fill(int length) => [.. Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5) / MathF.Sqrt(h))];
        _x = Fill(d);
        _hidden = Fill(h);
        _bias = Fill(h);
        _preActivation = new float[h];
        _wxh = PackedMatrix.From(new ReadOnlyMatrixSpan(Fill(d * h), d, h));
        _whh = PackedMatrix.From(new ReadOnlyMatrixSpan(Fill(h * h), h, h));
    }

    /// <summary>bh + x·Wxh + h·Whh, then tanh into the hidden state (which feeds the next step).</summary>
    [Benchmark]
    public void Step()
    {
        int d = _config.InputSize, h = _config.HiddenSize;
        _bias.CopyTo(_preActivation, 0);
        MatrixMultiply.MultiplyAdd(new ReadOnlyMatrixSpan(_x, 1, d), _wxh, new MatrixSpan(_preActivation, 1, h));
        MatrixMultiply.MultiplyAdd(new ReadOnlyMatrixSpan(_hidden, 1, h), _whh, new MatrixSpan(_preActivation, 1, h));
        Activations.Tanh(_preActivation, _hidden);
    }

    /// <inheritdoc/>
    public double FlopsPerInvoke(string benchmarkMethod)
    {
        BenchmarkConfig c = BenchmarkConfig.Named(Config);
        return 2.0 * ((double)c.InputSize * c.HiddenSize + (double)c.HiddenSize * c.HiddenSize);
    }
}
