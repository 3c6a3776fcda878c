using BenchmarkDotNet.Attributes;
using Rnn.Fast.Kernels;
using System.Numerics.Tensors;

namespace Rnn.Fast.Benchmarks.Kernels;

/// <summary>
/// tanh over a span: ours on every path vs TensorPrimitives.Tanh. Lengths: one hidden row (h = 128, 256, 1024),
/// 4,096 floats, and the (T·n)×h pre-activation matrices of the small (64×128), medium (2048×256) and large
/// (2048×1024) configs of perf/bench-configs.json.
/// </summary>
[Config(typeof(ElementwiseBenchmarkConfig))]
public class ElementwiseTanhBenchmarks
{
    private float[] _x = [];
    private float[] _destination = [];

    [Params(128, 256, 1024, 4096, 8192, 524288, 2097152)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _x = new float[Length];
        _destination = new float[Length];
        // Pre-activations of a trained RNN mostly sit in [−4, 4]; both branches of our tanh run.
        for (int i = 0; i < Length; i++) _x[i] = (float)(random.NextDouble() * 8 - 4);
    }

    [Benchmark(Baseline = true)]
    public void TensorPrimitivesTanh() => TensorPrimitives.Tanh(_x, _destination);

    [Benchmark]
    public void Tanh() => Activations.Tanh(_x, _destination);

    [Benchmark]
    public void TanhAvx2() => Activations.Tanh(_x, _destination, InstructionSet.Avx2);

    [Benchmark]
    public void TanhPortable() => Activations.Tanh(_x, _destination, InstructionSet.Portable);

    [Benchmark]
    public void TanhScalar() => Activations.Tanh(_x, _destination, InstructionSet.Scalar);
}
