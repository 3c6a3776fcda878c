using Rnn.Fast.Kernels;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Kernels;

public class AllocationTests
{
    [Fact]
    public void PublicKernelsAllocateNothingAfterWarmUp()
    {
        const int Rows = 33, Columns = 131;
        float[] matrix = new float[Rows * Columns], destination = new float[Rows * Columns];
        float[] bias = new float[Columns], sums = new float[Columns];
        for (int i = 0; i < matrix.Length; i++) matrix[i] = i * 1e-3f;
        RunEveryKernel(matrix, destination, bias, sums, Rows, Columns);
        AllocationAssert.AllocatesNothing(() =>
        {
            for (int repeat = 0; repeat < 10; repeat++) RunEveryKernel(matrix, destination, bias, sums, Rows, Columns);
        }, "ten runs of every kernel");
    }

    private static void RunEveryKernel(float[] matrix, float[] destination, float[] bias, float[] sums, int rows, int columns)
    {
        Activations.Tanh(matrix, destination);
        Activations.TanhInPlace(destination);
        Activations.TanhGradient(destination, matrix, destination);
        BiasKernels.AddColumnSums(matrix, rows, columns, columns, sums);
        VectorArithmetic.AddScaled(matrix, -1e-3f, destination);
        VectorArithmetic.Scale(matrix, 0.5f, destination);
        sums[0] += Reductions.Dot(matrix, destination) * 0 + Reductions.SquaredNorm(bias) * 0;
        // Indexing, not foreach: enumerating an IReadOnlyList boxes its enumerator.
        for (int k = 0; k < KernelDispatch.Supported.Count; k++)
        {
            InstructionSet path = KernelDispatch.Supported[k];
            Activations.Tanh(matrix, destination, path);
            Reductions.Dot(matrix, destination, path);
        }
    }
}
