using FsCheck.Xunit;
using Rnn.Fast.Kernels;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Kernels;

public class BiasKernelsTests
{
    // 200 shapes of at most 20,000 elements on ≤ 4 paths: well under a second (adds only, no fma).
    private const int Cases = 200;

    [Property(MaxTest = Cases, Arbitrary = new[] { typeof(TestData.Arbitraries) })]
    public void AddColumnSumsIsOneChainDownEachColumnWithinGammaRows(MatrixShape shape, int seed)
    {
        var random = new Random(seed);
        (int rows, int columns, int ld) = shape;
        int length = (rows - 1) * ld + columns;
        float[] matrix = TestData.Uniform(random, length, 5f);
        float[] initial = TestData.Uniform(random, columns, 5f);
        float[] result = KernelPaths.RunOnEveryPath(path =>
        {
            float[] s = (float[])initial.Clone();
            BiasKernels.AddColumnSums(matrix, rows, columns, ld, s, path);
            return s;
        }, "AddColumnSums");
        for (int j = 0; j < columns; j++)
        {
            double exact = initial[j], magnitude = Math.Abs(initial[j]);
            float chain = initial[j];
            for (int i = 0; i < rows; i++)
            {
                exact += matrix[i * ld + j];
                magnitude += Math.Abs(matrix[i * ld + j]);
                chain += matrix[i * ld + j];
            }
            // rows additions in a chain: |err| ≤ γ_rows·(|s_0| + Σ|m_ij|).
            FloatAssert.WithinMixed(result[j], exact, FloatTolerance.Gamma(rows), magnitude, 0, $"column {j} of {rows}×{columns}");
            FloatAssert.BitIdentical(chain, result[j], $"column {j} is the chain in increasing row order");
        }
    }

    [Fact]
    public void SpecialValuesGiveTheSameBitsOnEveryPath()
    {
        float[] values = TestData.SpecialValues;
        int columns = values.Length, rows = 3;
        float[] matrix = new float[rows * columns];
        for (int i = 0; i < rows; i++) values.AsSpan().CopyTo(matrix.AsSpan(i * columns));
        float[] bias = Array.ConvertAll(values, v => -v);
        KernelPaths.RunOnEveryPath(path =>
        {
            float[] s = (float[])bias.Clone();
            BiasKernels.AddColumnSums(matrix, rows, columns, columns, s, path);
            return s;
        }, "AddColumnSums of special values", anyNaN: true);
    }

    [Fact]
    public void PublicOverloadsRunTheActivePath()
    {
        var random = new Random(5);
        float[] m = TestData.Uniform(random, 7 * 70, 1f);
        float[] sumsExpected = new float[70], sumsActual = new float[70];
        BiasKernels.AddColumnSums(m, 7, 70, 70, sumsExpected, InstructionSet.Scalar);
        BiasKernels.AddColumnSums(m, 7, 70, 70, sumsActual);
        FloatAssert.BitIdentical(sumsExpected, sumsActual, "BiasKernels.AddColumnSums");
    }
}
