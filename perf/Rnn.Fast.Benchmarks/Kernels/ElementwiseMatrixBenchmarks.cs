using BenchmarkDotNet.Attributes;
using Rnn.Fast.Kernels;
using System.Numerics.Tensors;

namespace Rnn.Fast.Benchmarks.Kernels;

/// <summary>
/// The column-sum kernel (bias gradients) on the (T·n)×h matrices of the standard configs (perf/bench-configs.json) (small 64×128, medium 2048×256,
/// large 2048×1024) vs the same bits from TensorPrimitives calls made row by row.
/// </summary>
[Config(typeof(ElementwiseBenchmarkConfig))]
public class ElementwiseMatrixBenchmarks
{
    private float[] _matrix = [], _sums = [];

    public static IEnumerable<MatrixSize> Shapes => [new(64, 128), new(2048, 256), new(2048, 1024)];

    [ParamsSource(nameof(Shapes))]
    public MatrixSize Shape { get; set; } = new(1, 1);

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        int length = Shape.Rows * Shape.Columns;
        _matrix = new float[length];
        _sums = new float[Shape.Columns];
        for (int i = 0; i < length; i++) _matrix[i] = (float)(random.NextDouble() * 6 - 3);
    }

    [Benchmark]
    public void AddColumnSums() => BiasKernels.AddColumnSums(_matrix, Shape.Rows, Shape.Columns, Shape.Columns, _sums);

    // sums += row, row by row: the same chains in the same order, so the same bits.
    [Benchmark]
    public void TensorPrimitivesAddPerRowForColumnSums()
    {
        int n = Shape.Columns;
        for (int i = 0; i < Shape.Rows; i++) TensorPrimitives.Add(_sums, _matrix.AsSpan(i * n, n), _sums);
    }
}
