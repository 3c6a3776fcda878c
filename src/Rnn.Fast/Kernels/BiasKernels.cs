using System.Runtime.Intrinsics;

namespace Rnn.Fast.Kernels;

/// <summary>
/// The column sums of a row-major matrix (the bias gradients): one chain of additions down each column, in
/// increasing row order, bit-identical on every instruction-set path.
/// </summary>
/// <remarks>
/// NaN results are NaN on every path, but when two NaN operands meet, which one comes out (payload, sign) is not
/// reproducible: x86 returns the first operand's NaN and the JIT may order the operands of a commutative operation
/// differently in scalar and vector code. Every non-NaN result is bit-identical on every path.
/// </remarks>
internal static unsafe class BiasKernels
{
    /// <summary>
    /// Adds the column sums of a matrix into <paramref name="sums"/>: for each column j, the chain
    /// <c>s = sums[j]; s = s + matrix[0, j]; s = s + matrix[1, j]; …</c> in increasing row order, then
    /// <c>sums[j] = s</c> — one rounding per addition, the same order on every path (vectorized across columns).
    /// </summary>
    /// <param name="matrix">The <paramref name="rows"/>×<paramref name="columns"/> matrix.</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="columns">The number of columns.</param>
    /// <param name="leadingDimension">The distance in floats between row starts of <paramref name="matrix"/>.</param>
    /// <param name="sums">The running sums, length <paramref name="columns"/>, updated in place; it must not overlap <paramref name="matrix"/>.</param>
    /// <exception cref="ArgumentException">The matrix span is too short, <paramref name="sums"/> has the wrong length, or they overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative, the leading dimension is below
    /// <paramref name="columns"/>, or <paramref name="rows"/> exceeds the kernels' largest dimension (int.MaxValue − 1023,
    /// reachable only with spans over native memory).</exception>
    public static void AddColumnSums(ReadOnlySpan<float> matrix, int rows, int columns, int leadingDimension, Span<float> sums) =>
        AddColumnSums(matrix, rows, columns, leadingDimension, sums, KernelDispatch.Active);

    internal static void AddColumnSums(ReadOnlySpan<float> matrix, int rows, int columns, int leadingDimension, Span<float> sums, InstructionSet instructionSet)
    {
        KernelArguments.ThrowIfBadMatrix(matrix.Length, rows, columns, leadingDimension, nameof(matrix));
        KernelArguments.ThrowIfTooLargeForLoops(rows, "The row count", nameof(rows));
        KernelArguments.ThrowIfLengthDiffers(columns, sums.Length, nameof(sums));
        if (matrix.Overlaps(sums)) throw new ArgumentException("The sums must not overlap the matrix.", nameof(sums));
        KernelDispatch.ThrowIfUnsupported(instructionSet);
        if (rows == 0 || columns == 0) return;
        fixed (float* pm = matrix)
        fixed (float* ps = sums)
        {
            int done = instructionSet switch
            {
                InstructionSet.Avx512 => ColumnSums512(pm, rows, columns, leadingDimension, ps),
                InstructionSet.Avx2 => ColumnSums256(pm, rows, columns, leadingDimension, ps),
                InstructionSet.Portable => ColumnSums128(pm, rows, columns, leadingDimension, ps),
                _ => 0,
            };
            // The remaining columns (all of them on the scalar path): the same chain, one column at a time.
            for (int j = done; j < columns; j++)
            {
                float s = ps[j];
                for (int i = 0; i < rows; i++) s += pm[(long)i * leadingDimension + j];
                ps[j] = s;
            }
        }
    }

    // Rows are taken in blocks of RowBlock: for each vector of columns, the running sums are loaded once, the
    // block's rows are added in increasing row order, and the sums stored back. The memory walk is RowBlock
    // sequential streams (prefetcher-friendly, unlike a column strip walked down thousands of rows), the sums stay
    // in L1, and every column's chain keeps its order, so the bits equal the scalar chain.
    internal const int RowBlock = 8;

    private static int ColumnSums512(float* pm, int rows, int columns, long ld, float* ps)
    {
        const int W = 16;
        int vectorColumns = columns - columns % W;
        for (int i0 = 0; i0 < rows; i0 += RowBlock)
        {
            int blockRows = Math.Min(RowBlock, rows - i0);
            float* block = pm + i0 * ld;
            for (int j = 0; j < vectorColumns; j += W)
            {
                Vector512<float> s = Vector512.Load(ps + j);
                float* p = block + j;
                for (int r = 0; r < blockRows; r++, p += ld) s += Vector512.Load(p);
                s.Store(ps + j);
            }
        }
        return vectorColumns;
    }

    private static int ColumnSums256(float* pm, int rows, int columns, long ld, float* ps)
    {
        const int W = 8;
        int vectorColumns = columns - columns % W;
        for (int i0 = 0; i0 < rows; i0 += RowBlock)
        {
            int blockRows = Math.Min(RowBlock, rows - i0);
            float* block = pm + i0 * ld;
            for (int j = 0; j < vectorColumns; j += W)
            {
                Vector256<float> s = Vector256.Load(ps + j);
                float* p = block + j;
                for (int r = 0; r < blockRows; r++, p += ld) s += Vector256.Load(p);
                s.Store(ps + j);
            }
        }
        return vectorColumns;
    }

    private static int ColumnSums128(float* pm, int rows, int columns, long ld, float* ps)
    {
        const int W = 4;
        int vectorColumns = columns - columns % W;
        for (int i0 = 0; i0 < rows; i0 += RowBlock)
        {
            int blockRows = Math.Min(RowBlock, rows - i0);
            float* block = pm + i0 * ld;
            for (int j = 0; j < vectorColumns; j += W)
            {
                Vector128<float> s = Vector128.Load(ps + j);
                float* p = block + j;
                for (int r = 0; r < blockRows; r++, p += ld) s += Vector128.Load(p);
                s.Store(ps + j);
            }
        }
        return vectorColumns;
    }
}
