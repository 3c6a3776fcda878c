namespace Rnn.Fast.Kernels;

/// <summary>Argument checks shared by the public kernels: each throws before anything is written.</summary>
internal static class KernelArguments
{
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
