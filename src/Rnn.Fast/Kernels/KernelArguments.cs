namespace Rnn.Fast.Kernels;

/// <summary>Argument checks shared by the public kernels: each throws before anything is written.</summary>
internal static class KernelArguments
{
    /// <summary>
    /// The largest step any kernel loop adds to an int counter: the AVX-512 GEMM depth block (1024). The row blocks
    /// (120 rows), panels (64 columns), tiles (6 rows), transposing packs (64 depths) and column-sum blocks (8 rows)
    /// step by less; a test holds every one of them to this.
    /// </summary>
    internal const int MaxLoopStep = 1024;

    /// <summary>
    /// The largest matrix dimension (M, N, K, or rows of a column sum) the kernels take: int.MaxValue − (1024 − 1) =
    /// 2,147,482,624. Under it, no loop counter (k0 + 1024, j0 + 64, i0 + 120, …) and no rounding (N + 63 for the panel
    /// count) can pass int.MaxValue, so the loops stay in int. The entry points check it once; larger sizes are only
    /// reachable with spans over native memory of more than 8 GB.
    /// </summary>
    internal const int MaxDimension = int.MaxValue - (MaxLoopStep - 1);

    /// <summary>Throws unless <paramref name="size"/> is at most <see cref="MaxDimension"/>.</summary>
    /// <param name="size">The dimension.</param>
    /// <param name="what">The dimension in words, e.g. "N (the columns of B and C)".</param>
    /// <param name="parameterName">The argument it belongs to.</param>
    public static void ThrowIfTooLargeForLoops(int size, string what, string parameterName)
    {
        if (size > MaxDimension)
        {
            throw new ArgumentOutOfRangeException(parameterName, size,
                $"{what} is {size}; the kernels take at most {MaxDimension} (int.MaxValue − {MaxLoopStep - 1}), so that no loop counter or rounding overflows.");
        }
    }

    public static void ThrowIfLengthDiffers(int expected, int actual, string parameterName)
    {
        if (expected != actual)
        {
            throw new ArgumentException($"Expected length {expected} but the span has length {actual}.", parameterName);
        }
    }

    /// <summary>A destination may be the very same span as an input (in place) but must not partially overlap it.</summary>
    public static void ThrowIfPartiallyOverlapping(ReadOnlySpan<float> input, ReadOnlySpan<float> destination, string parameterName)
    {
        if (input.Overlaps(destination, out int offset) && offset != 0)
        {
            throw new ArgumentException("The destination overlaps an input without starting at the same element; only exact in-place use is supported.", parameterName);
        }
    }

    /// <summary>Checks the dimensions of a row-major matrix view and that its span holds it.</summary>
    public static void ThrowIfBadMatrix(int length, int rows, int columns, int leadingDimension, string parameterName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (leadingDimension < columns)
        {
            throw new ArgumentOutOfRangeException(nameof(leadingDimension), leadingDimension, $"The leading dimension of {parameterName} must be at least the column count {columns}.");
        }
        long needed = rows == 0 ? 0 : (long)(rows - 1) * leadingDimension + columns;
        if (length < needed)
        {
            throw new ArgumentException(
                $"A {rows}×{columns} matrix with leading dimension {leadingDimension} needs length at least {needed} but the span has length {length}.",
                parameterName);
        }
    }
}
