namespace Rnn.Fast.Kernels;

/// <summary>Checks shared by the matrix views.</summary>
internal static class MatrixBounds
{
    /// <summary>(rows − 1)·stride + columns, after checking every dimension and that it fits in <paramref name="available"/>.</summary>
    internal static int RequiredLength(int available, int rows, int columns, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (stride < columns)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), stride,
                $"The stride must be at least the column count {columns}.");
        }

        long required = (long)(rows - 1) * stride + columns;
        if (required > available)
        {
            throw new ArgumentException(
                $"A {rows}×{columns} matrix with stride {stride} needs {required} elements, but the span holds {available}.",
                "data");
        }

        return (int)required;
    }
}
