using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Rnn.Fast.Kernels;

/// <summary>
/// A K×N right-hand matrix B rearranged for the GEMM microkernels: column panels <see cref="PanelWidth"/> wide,
/// each stored k-major (row k of a panel is <see cref="PanelWidth"/> contiguous floats), the last panel padded with
/// zeros. Weights change only at an optimizer step, so an engine packs them once per update (<see cref="Pack"/> or
/// <see cref="PackTransposed"/> into the same instance, without allocating) and reuses the pack for every call.
/// </summary>
/// <remarks>
/// The layout is the same for every instruction-set path. Packing copies values exactly, so products read from a
/// pack are bit-identical to products read from the source matrix. Not thread-safe while being packed; any number
/// of threads may read a pack that is not being written.
/// </remarks>
internal sealed unsafe class PackedMatrix
{
    /// <summary>The number of columns of B in one panel: four 16-float AVX-512 vectors.</summary>
    public const int PanelWidth = 64;

    // 64-byte alignment of the first panel; the array is pinned, so the offset stays valid.
    private const int AlignmentFloats = 16;

    private readonly float[] _storage;
    private readonly int _offset;

    /// <summary>Allocates a zeroed pack for a <paramref name="rows"/>×<paramref name="columns"/> matrix (K×N).</summary>
    /// <param name="rows">K, the depth of the products this pack takes part in; at least 1.</param>
    /// <param name="columns">N, the number of output columns; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, or the padded pack would exceed the largest array.</exception>
    public PackedMatrix(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        long length = StorageLength(rows, columns);
        if (length > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(rows >= columns ? nameof(rows) : nameof(columns),
                $"A packed {rows}×{columns} matrix needs {length - AlignmentFloats} floats; at most {Array.MaxLength - AlignmentFloats} fit.");
        }

        Rows = rows;
        Columns = columns;
        PanelCount = (int)((columns + (long)PanelWidth - 1) / PanelWidth);
        _storage = GC.AllocateArray<float>((int)length, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage));
        _offset = (int)((64 - (address & 63)) & 63) / sizeof(float);
    }

    /// <summary>
    /// The floats a pack of a <paramref name="rows"/>×<paramref name="columns"/> matrix allocates: ⌈N / <see cref="PanelWidth"/>⌉
    /// panels of K·<see cref="PanelWidth"/> floats, plus the alignment slack; in 64-bit arithmetic, so it is exact for every
    /// pair of sizes from 1 to <see cref="int.MaxValue"/>. The constructor allocates exactly this, and the checks that
    /// decide whether a model can be built (before anything is allocated) call it, so they follow any change of layout.
    /// </summary>
    /// <param name="rows">K, at least 1.</param>
    /// <param name="columns">N, at least 1.</param>
    /// <returns>The length of the pack's storage array, which must not exceed <see cref="Array.MaxLength"/>.</returns>
    internal static long StorageLength(int rows, int columns)
    {
        long panels = (columns + (long)PanelWidth - 1) / PanelWidth;
        return panels * PanelWidth * rows + AlignmentFloats;
    }

    /// <summary>K: the number of rows of the packed matrix.</summary>
    public int Rows { get; }

    /// <summary>N: the number of columns of the packed matrix.</summary>
    public int Columns { get; }

    /// <summary>The number of column panels: ⌈N / <see cref="PanelWidth"/>⌉.</summary>
    public int PanelCount { get; }

    /// <summary>The first float of panel 0; 64-byte aligned. Panel p starts at p·K·<see cref="PanelWidth"/>.</summary>
    internal float* Pointer => (float*)Unsafe.AsPointer(ref _storage[_offset]);

    /// <summary>The distance in floats between the starts of consecutive panels: K·<see cref="PanelWidth"/>.</summary>
    internal nint PanelStride => (nint)Rows * PanelWidth;

    /// <summary>Creates a pack of <paramref name="source"/> (K×N).</summary>
    /// <param name="source">The matrix B to pack.</param>
    /// <returns>A new pack holding B.</returns>
    public static PackedMatrix From(ReadOnlyMatrixSpan source)
    {
        var pack = new PackedMatrix(source.Rows, source.Columns);
        pack.Pack(source);
        return pack;
    }

    /// <summary>Creates a pack of the transpose of <paramref name="source"/>: an N×K source gives a K×N pack.</summary>
    /// <param name="source">The matrix whose transpose is B.</param>
    /// <returns>A new pack holding sourceᵀ.</returns>
    public static PackedMatrix FromTransposed(ReadOnlyMatrixSpan source)
    {
        var pack = new PackedMatrix(source.Columns, source.Rows);
        pack.PackTransposed(source);
        return pack;
    }

    /// <summary>Overwrites this pack with <paramref name="source"/>, which must be K×N. Allocates nothing.</summary>
    /// <param name="source">The matrix B to pack.</param>
    /// <exception cref="ArgumentException"><paramref name="source"/> is not <see cref="Rows"/>×<see cref="Columns"/>.</exception>
    public void Pack(ReadOnlyMatrixSpan source)
    {
        CheckShape(source.Rows, source.Columns, nameof(source), transposed: false);
        fixed (float* s = source.Data)
        {
            GemmPacking.PackPanels(s, source.Stride, 1, Rows, Columns, Pointer);
        }

        // The copy writes through a raw pointer into _storage. Without this, a pack that nothing else references
        // (PackedMatrix.From(b) with the result unused) may be collected, and its storage freed, mid-copy.
        GC.KeepAlive(this);
    }

    /// <summary>Overwrites this pack with the transpose of <paramref name="source"/>, which must be N×K. Allocates nothing.</summary>
    /// <param name="source">The matrix whose transpose is B.</param>
    /// <exception cref="ArgumentException"><paramref name="source"/> is not <see cref="Columns"/>×<see cref="Rows"/>.</exception>
    public void PackTransposed(ReadOnlyMatrixSpan source)
    {
        CheckShape(source.Columns, source.Rows, nameof(source), transposed: true);
        fixed (float* s = source.Data)
        {
            GemmPacking.PackPanels(s, 1, source.Stride, Rows, Columns, Pointer);
        }

        // As in Pack: keep the storage alive until the copy is done.
        GC.KeepAlive(this);
    }

    /// <summary>The element B[row, column] read back from the pack (for tests and diagnostics; not a hot path).</summary>
    /// <param name="row">k, from 0 to <see cref="Rows"/> − 1.</param>
    /// <param name="column">j, from 0 to <see cref="Columns"/> − 1.</param>
    public float this[int row, int column]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(row);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
            ArgumentOutOfRangeException.ThrowIfNegative(column);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, Columns);
            return _storage[_offset + (column / PanelWidth) * Rows * PanelWidth + row * PanelWidth + column % PanelWidth];
        }
    }

    private void CheckShape(int rows, int columns, string argument, bool transposed)
    {
        if (rows != Rows || columns != Columns)
        {
            string expected = transposed ? $"{Columns}×{Rows}" : $"{Rows}×{Columns}";
            string actual = transposed ? $"{columns}×{rows}" : $"{rows}×{columns}";
            throw new ArgumentException($"This pack holds a {Rows}×{Columns} matrix, so the source must be {expected}, but it is {actual}.", argument);
        }
    }
}
