using BenchmarkDotNet.Attributes;
using Rnn.Fast.Benchmarks.Infrastructure;
using Rnn.Fast.Kernels;

namespace Rnn.Fast.Benchmarks.Kernels;

/// <summary>
/// The three GEMM shapes an RNN training step is made of, at every standard config: the input projection
/// (T·n)×d by d×h, the recurrence n×h by h×h (forward: Whh packed; backward: Whhᵀ packed, same cost), and the
/// weight gradient Hᵀ·dA, h×(T·n) by (T·n)×h. Operands use the engine's padded leading dimensions.
/// </summary>
[Config(typeof(KernelBenchmarkConfig))]
public class GemmBenchmarks : IFlopCount
{
    private float[] _x = [], _h = [], _c = [], _dA = [], _gradient = [], _bias = [];
    private PackedMatrix _wxh = null!, _whh = null!;
    private BenchmarkConfig _config = null!;

    /// <summary>The standard config (perf/bench-configs.json).</summary>
    [ParamsSource(nameof(Configs))]
    public string Config { get; set; } = "medium";

    /// <summary>Every config with a batch to train on (ds2 is inference-only but its projection and recurrence count).</summary>
    public static IEnumerable<string> Configs => BenchmarkConfig.All.Select(c => c.Name);

    /// <summary>Fills the operands with seeded values and packs the weights, once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _config = BenchmarkConfig.Named(Config);
        var random = new Random(1);
        float[] Fill(int length) => [.. Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5))];
        int d = _config.InputSize, h = _config.HiddenSize, ldd = LeadingDimension.For(d), ldh = LeadingDimension.For(h);
        _x = Fill(_config.Rows * ldd);
        _h = Fill(_config.Rows * ldh);
        _dA = Fill(_config.Rows * ldh);
        _c = Fill(_config.Rows * ldh);
        _gradient = Fill(h * ldh);
        _bias = Fill(h);
        _wxh = PackedMatrix.From(new ReadOnlyMatrixSpan(Fill(d * h), d, h));
        _whh = PackedMatrix.From(new ReadOnlyMatrixSpan(Fill(h * h), h, h));
    }

    /// <summary>
    /// A_all = bh + X_all·Wxh over every time step at once, (T·n)×d by d×h, as the engine's forward pass runs it: each
    /// chain starts from the bias, so A_all is written and never read.
    /// </summary>
    [Benchmark]
    public void InputProjection() => MatrixMultiply.MultiplyWithBias(
        new ReadOnlyMatrixSpan(_x, _config.Rows, _config.InputSize, LeadingDimension.For(_config.InputSize)), _wxh, _bias,
        new MatrixSpan(_c, _config.Rows, _config.HiddenSize, LeadingDimension.For(_config.HiddenSize)));

    /// <summary>
    /// The same shape as C += A·B, C read and then written. Before the bias form, the engine ran this after writing bh into
    /// every row of C, a copy this benchmark leaves out, so it produces no bias and is not the same work.
    /// </summary>
    [Benchmark]
    public void InputProjectionAccumulate() => MatrixMultiply.MultiplyAdd(
        new ReadOnlyMatrixSpan(_x, _config.Rows, _config.InputSize, LeadingDimension.For(_config.InputSize)), _wxh,
        new MatrixSpan(_c, _config.Rows, _config.HiddenSize, LeadingDimension.For(_config.HiddenSize)));

    /// <summary>A_t += H_{t−1}·Whh for one step: n×h by h×h.</summary>
    [Benchmark]
    public void Recurrence() => MatrixMultiply.MultiplyAdd(
        new ReadOnlyMatrixSpan(_h, _config.BatchSize, _config.HiddenSize, LeadingDimension.For(_config.HiddenSize)), _whh,
        new MatrixSpan(_c, _config.BatchSize, _config.HiddenSize, LeadingDimension.For(_config.HiddenSize)));

    /// <summary>dWhh += H_{0..T−1}ᵀ·dA_{1..T}: h×(T·n) by (T·n)×h.</summary>
    [Benchmark]
    public void WeightGradient() => MatrixMultiply.TransposeMultiplyAdd(
        new ReadOnlyMatrixSpan(_h, _config.Rows, _config.HiddenSize, LeadingDimension.For(_config.HiddenSize)),
        new ReadOnlyMatrixSpan(_dA, _config.Rows, _config.HiddenSize, LeadingDimension.For(_config.HiddenSize)),
        new MatrixSpan(_gradient, _config.HiddenSize, _config.HiddenSize, LeadingDimension.For(_config.HiddenSize)));

    /// <inheritdoc/>
    public double FlopsPerInvoke(string benchmarkMethod)
    {
        BenchmarkConfig c = BenchmarkConfig.Named(Config);
        return benchmarkMethod switch
        {
            nameof(InputProjection) or nameof(InputProjectionAccumulate) => 2.0 * c.Rows * c.InputSize * c.HiddenSize,
            nameof(Recurrence) => 2.0 * c.BatchSize * c.HiddenSize * c.HiddenSize,
            nameof(WeightGradient) => 2.0 * c.HiddenSize * c.Rows * c.HiddenSize,
            _ => 0,
        };
    }
}
