namespace Rnn.Fast.Kernels;

/// <summary>
/// A read-only row-major float matrix inside a span: <see cref="Rows"/> rows of <see cref="Columns"/> elements,
/// row i starting at element i·<see cref="Stride"/>. A stride larger than the column count lets a block of a larger
/// matrix be used without copying.
/// </summary>
internal readonly ref struct ReadOnlyMatrixSpan
{
    /// <summary>Views <paramref name="data"/> as a dense matrix (stride = columns).</summary>
    /// <param name="data">The elements; at least rows·columns long.</param>
    /// <param name="rows">The number of rows; at least 1.</param>
    /// <param name="columns">The number of columns; at least 1.</param>
    /// <exception cref="ArgumentException">A dimension is below 1 or <paramref name="data"/> is too short.</exception>
    public ReadOnlyMatrixSpan(ReadOnlySpan<float> data, int rows, int columns)
        : this(data, rows, columns, columns)
    {
    }

    /// <summary>Views <paramref name="data"/> as a matrix whose rows lie <paramref name="stride"/> elements apart.</summary>
    /// <param name="data">The elements; at least (rows − 1)·stride + columns long.</param>
    /// <param name="rows">The number of rows; at least 1.</param>
    /// <param name="columns">The number of columns; at least 1.</param>
    /// <param name="stride">The distance between row starts (the leading dimension); at least <paramref name="columns"/>.</param>
    /// <exception cref="ArgumentException">A dimension is below 1, the stride is below the column count, or
    /// <paramref name="data"/> is too short.</exception>
    public ReadOnlyMatrixSpan(ReadOnlySpan<float> data, int rows, int columns, int stride)
    {
        Data = data[..MatrixBounds.RequiredLength(data.Length, rows, columns, stride)];
        Rows = rows;
        Columns = columns;
        Stride = stride;
    }

    /// <summary>The elements from the first of row 0 to the last of the last row.</summary>
    public ReadOnlySpan<float> Data { get; }

    /// <summary>The number of rows.</summary>
    public int Rows { get; }

    /// <summary>The number of columns.</summary>
    public int Columns { get; }

    /// <summary>The distance in elements between the starts of consecutive rows.</summary>
    public int Stride { get; }

    /// <summary>The element at row <paramref name="row"/> and column <paramref name="column"/> (no bounds check on the column).</summary>
    public float this[int row, int column] => Data[row * Stride + column];
}
