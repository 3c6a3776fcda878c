using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Fast.Kernels;

/// <summary>
/// Plain gradient descent on a weight matrix whose gradient is a product over few rows, without storing the gradient:
/// W[i, j] ← fma(G[i, j], −rate, W[i, j]) with G = Aᵀ·B, each G[i, j] one chain over the rows k of A and B in
/// increasing order from +0, fma(A[k, i], B[k, j], ·) — the chain the GEMM driver computes for the weight gradient —
/// then the update of <see cref="VectorArithmetic.AddScaled(ReadOnlySpan{float}, float, Span{float})"/>. So the bits
/// are those of the gradient product followed by the update, on every path.
/// </summary>
/// <remarks>
/// For a training step of one row (a streaming step), the gradient is an outer product: the product and the update are
/// each one pass over the weights, and doing both in one pass halves the traffic. A row of
/// W is updated in whole vectors, then the columns past the last whole vector one at a time (the same chain and fma).
/// </remarks>
internal static unsafe class WeightGradientDescent
{
    /// <summary>
    /// The update above for i &lt; <paramref name="m"/>, j &lt; <paramref name="n"/>: A's element (k, i) at
    /// a[k·<paramref name="aDepthStride"/> + i], B's element (k, j) at b[k·<paramref name="ldb"/> + j], W's (i, j) at
    /// w[i·<paramref name="ldw"/> + j]; <paramref name="depth"/> rows k. W must not overlap A or B.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(InstructionSet path, float* a, nint aDepthStride, float* b, nint ldb, int depth, float* w, nint ldw, int m, int n,
        float negatedRate)
    {
        int vectorWidth = path switch
        {
            InstructionSet.Avx512 => 16,
            InstructionSet.Avx2 => 8,
            InstructionSet.Portable => 4,
            _ => 1,
        };
        int vectorColumns = vectorWidth == 1 ? 0 : n - n % vectorWidth;
        for (int i = 0; i < m; i++)
        {
            float* row = w + i * ldw, column = a + i;
            switch (path)
            {
                case InstructionSet.Avx512: Row512(column, aDepthStride, b, ldb, depth, row, vectorColumns, negatedRate); break;
                case InstructionSet.Avx2: Row256(column, aDepthStride, b, ldb, depth, row, vectorColumns, negatedRate); break;
                case InstructionSet.Portable: Row128(column, aDepthStride, b, ldb, depth, row, vectorColumns, negatedRate); break;
            }

            for (int j = vectorColumns; j < n; j++)
            {
                float sum = 0;
                for (int k = 0; k < depth; k++) sum = MathF.FusedMultiplyAdd(column[k * aDepthStride], b[k * ldb + j], sum);
                row[j] = MathF.FusedMultiplyAdd(sum, negatedRate, row[j]);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row512(float* column, nint aDepthStride, float* b, nint ldb, int depth, float* row, int columns, float negatedRate)
    {
        Vector512<float> rate = Vector512.Create(negatedRate);
        for (int j = 0; j < columns; j += 16)
        {
            Vector512<float> sum = Vector512<float>.Zero;
            for (int k = 0; k < depth; k++) sum = Avx512F.FusedMultiplyAdd(Vector512.Create(column[k * aDepthStride]), Vector512.Load(b + k * ldb + j), sum);
            Avx512F.FusedMultiplyAdd(sum, rate, Vector512.Load(row + j)).Store(row + j);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row256(float* column, nint aDepthStride, float* b, nint ldb, int depth, float* row, int columns, float negatedRate)
    {
        Vector256<float> rate = Vector256.Create(negatedRate);
        for (int j = 0; j < columns; j += 8)
        {
            Vector256<float> sum = Vector256<float>.Zero;
            for (int k = 0; k < depth; k++) sum = Fma.MultiplyAdd(Vector256.Create(column[k * aDepthStride]), Vector256.Load(b + k * ldb + j), sum);
            Fma.MultiplyAdd(sum, rate, Vector256.Load(row + j)).Store(row + j);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row128(float* column, nint aDepthStride, float* b, nint ldb, int depth, float* row, int columns, float negatedRate)
    {
        Vector128<float> rate = Vector128.Create(negatedRate);
        for (int j = 0; j < columns; j += 4)
        {
            Vector128<float> sum = Vector128<float>.Zero;
            for (int k = 0; k < depth; k++) sum = Vector128.FusedMultiplyAdd(Vector128.Create(column[k * aDepthStride]), Vector128.Load(b + k * ldb + j), sum);
            Vector128.FusedMultiplyAdd(sum, rate, Vector128.Load(row + j)).Store(row + j);
        }
    }
}
