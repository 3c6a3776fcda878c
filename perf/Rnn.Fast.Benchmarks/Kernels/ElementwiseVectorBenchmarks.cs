using BenchmarkDotNet.Attributes;
using Rnn.Fast.Kernels;
using System.Numerics.Tensors;

namespace Rnn.Fast.Benchmarks.Kernels;

/// <summary>
/// The flat-span kernels vs the TensorPrimitives calls that compute the same bits (AddScaled, Scale, TanhGradient)
/// or the same quantity in a different order (Dot, SquaredNorm: TensorPrimitives' sum order depends on the vector
/// width, so it is compared for speed only).
/// </summary>
[Config(typeof(ElementwiseBenchmarkConfig))]
public class ElementwiseVectorBenchmarks
{
    private float[] _x = [], _y = [], _destination = [], _scratch = [];

    [Params(128, 1024, 4096, 524288)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _x = new float[Length]; _y = new float[Length]; _destination = new float[Length]; _scratch = new float[Length];
        for (int i = 0; i < Length; i++)
        {
            _x[i] = (float)(random.NextDouble() * 2 - 1);
            _y[i] = (float)(random.NextDouble() * 2 - 1);
        }
    }

    // y += a·x. The tiny factor keeps the values from drifting over many invocations.
    [Benchmark]
    public void AddScaled() => VectorArithmetic.AddScaled(_x, 1e-30f, _y);

    [Benchmark]
    public void TensorPrimitivesFusedMultiplyAddForAddScaled() => TensorPrimitives.FusedMultiplyAdd(_x, 1e-30f, _y, _y);

    [Benchmark]
    public void Scale() => VectorArithmetic.Scale(_x, 0.5f, _destination);

    [Benchmark]
    public void TensorPrimitivesMultiplyForScale() => TensorPrimitives.Multiply(_x, 0.5f, _destination);

    [Benchmark]
    public void TanhGradient() => Activations.TanhGradient(_x, _y, _destination);

    // The same bits in three passes: t = −h; t = fma(t, h, 1); d = g·t.
    [Benchmark]
    public void TensorPrimitivesThreePassesForTanhGradient()
    {
        TensorPrimitives.Negate(_x, _scratch);
        TensorPrimitives.FusedMultiplyAdd(_scratch, _x, 1f, _scratch);
        TensorPrimitives.Multiply(_y, _scratch, _destination);
    }

    [Benchmark]
    public float Dot() => Reductions.Dot(_x, _y);

    [Benchmark]
    public float TensorPrimitivesDot() => TensorPrimitives.Dot(_x, _y);

    [Benchmark]
    public float SquaredNorm() => Reductions.SquaredNorm(_x);

    [Benchmark]
    public float TensorPrimitivesSumOfSquares() => TensorPrimitives.SumOfSquares(_x);
}
