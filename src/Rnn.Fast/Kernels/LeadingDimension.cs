namespace Rnn.Fast.Kernels;

/// <summary>How far apart to place the rows of a matrix that the GEMM kernels will read or write.</summary>
internal static class LeadingDimension
{
    /// <summary>
    /// A row stride of at least <paramref name="columns"/>: rounded up to 16 floats (64 bytes, one cache line) and
    /// moved off multiples of 256 floats (1 KiB). Rows exactly 4 KiB apart alias in the L1 sets and in store-to-load
    /// forwarding, which slows a 6-row tile of such rows.
    /// </summary>
    /// <param name="columns">The number of columns; at least 1.</param>
    /// <returns>The padded stride.</returns>
    public static int For(int columns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(columns, Array.MaxLength - 32);
        int stride = (columns + 15) & ~15;
        return stride % 256 == 0 ? stride + 16 : stride;
    }
}
