using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Rnn.Fast.Kernels;

/// <summary>
/// A K×N right-hand matrix B rearranged for the GEMM microkernels: ⌊N / 64⌋ column panels <see cref="PanelWidth"/>
/// wide, each stored k-major (row k of a panel is <see cref="PanelWidth"/> contiguous floats), then, when N is not a
/// multiple of 64, one remainder panel k-major at exactly N mod 64 floats a row. Weights change only at an optimizer
/// step, so an engine packs them once per update (<see cref="Pack"/> or <see cref="PackTransposed"/> into the same
/// instance, without allocating) and reuses the pack for every call.
/// </summary>
/// <remarks>
/// <para>The pack holds no padding: K·N floats, so the bytes a product streams grow with N, not with N rounded up to
/// 64. A tile over the remainder panel loads whole vectors; the lanes past the panel's width read the next row's
/// first floats (or, after the last row, <see cref="ReadSlackFloats"/> floats of slack that belong to the pack),
/// accumulate chains of their own that are never stored, and so cannot change a result.</para>
/// <para>The layout is the same for every instruction-set path. Packing copies values exactly, so products read from
/// a pack are bit-identical to products read from the source matrix. Not thread-safe while being packed; any number
/// of threads may read a pack that is not being written.</para>
/// </remarks>
internal sealed unsafe class PackedMatrix
{
    /// <summary>The number of columns of B in a full panel: four 16-float AVX-512 vectors.</summary>
    public const int PanelWidth = 64;

    /// <summary>
    /// Floats after the last row that a vector tile may read: its last vector over the remainder panel starts inside
    /// the row and reads at most 15 floats past the row's end. 16 floats keep those reads inside the pack.
    /// </summary>
    internal const int ReadSlackFloats = 16;

    // 64-byte alignment of the first panel; the array is pinned, so the offset stays valid.
    private const int AlignmentFloats = 16;

    private readonly float[] _storage;
    private readonly int _offset;

    /// <summary>Allocates a zeroed pack for a <paramref name="rows"/>×<paramref name="columns"/> matrix (K×N).</summary>
    /// <param name="rows">K, the depth of the products this pack takes part in; at least 1.</param>
    /// <param name="columns">N, the number of output columns; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, or the pack would exceed the largest array.</exception>
    public PackedMatrix(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        long length = StorageLength(rows, columns);
        if (length > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(rows >= columns ? nameof(rows) : nameof(columns),
                $"A packed {rows}×{columns} matrix needs {length - AlignmentFloats - ReadSlackFloats} floats; at most " +
                $"{Array.MaxLength - AlignmentFloats - ReadSlackFloats} fit.");
        }

        Rows = rows;
        Columns = columns;
        _storage = GC.AllocateArray<float>((int)length, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage));
        _offset = (int)((64 - (address & 63)) & 63) / sizeof(float);
    }

    /// <summary>
    /// The floats a pack of a <paramref name="rows"/>×<paramref name="columns"/> matrix allocates: K·N for the panels (no
    /// padding), plus the alignment slack and <see cref="ReadSlackFloats"/>; in 64-bit arithmetic, so it is exact for
    /// every pair of sizes from 1 to <see cref="int.MaxValue"/>. The constructor allocates exactly this, and the checks
    /// that decide whether a model can be built (before anything is allocated) call it, so they follow any change of layout.
    /// </summary>
    /// <param name="rows">K, at least 1.</param>
    /// <param name="columns">N, at least 1.</param>
    /// <returns>The length of the pack's storage array, which must not exceed <see cref="Array.MaxLength"/>.</returns>
    internal static long StorageLength(int rows, int columns) => (long)rows * columns + AlignmentFloats + ReadSlackFloats;

    /// <summary>K: the number of rows of the packed matrix.</summary>
    public int Rows { get; }

    /// <summary>N: the number of columns of the packed matrix.</summary>
    public int Columns { get; }

    /// <summary>The number of column panels: ⌈N / <see cref="PanelWidth"/>⌉ (the last one may be a remainder panel).</summary>
    public int PanelCount => Panels.PanelCount;

    /// <summary>The first float of panel 0; 64-byte aligned. Panel p starts at p·K·<see cref="PanelWidth"/>.</summary>
    internal float* Pointer
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (float*)Unsafe.AsPointer(ref _storage[_offset]);
    }

    /// <summary>All rows of the pack, as the GEMM driver reads them.</summary>
    internal PackedPanels Panels
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Pointer, Rows, 0, Rows, Columns);
    }

    /// <summary>Rows <paramref name="first"/> … + <paramref name="count"/> − 1 of the pack (one factor of a stacked pack).</summary>
    internal PackedPanels RowRange(int first, int count) => new(Pointer, Rows, first, count, Columns);

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
        PackRows(0, source);
    }

    /// <summary>
    /// Overwrites rows <paramref name="firstRow"/> … + source.Rows − 1 of this pack with <paramref name="source"/>, whose
    /// width must be <see cref="Columns"/>: a model packs Wxh and Whh into one stacked pack this way. Allocates nothing.
    /// </summary>
    /// <param name="firstRow">The first pack row to write.</param>
    /// <param name="source">The rows to pack.</param>
    /// <exception cref="ArgumentException">The source has the wrong width or does not fit below <paramref name="firstRow"/>.</exception>
    public void PackRows(int firstRow, ReadOnlyMatrixSpan source)
    {
        if (source.Columns != Columns || firstRow < 0 || (long)firstRow + source.Rows > Rows)
        {
            throw new ArgumentException(
                $"This pack holds a {Rows}×{Columns} matrix: a {source.Rows}×{source.Columns} source does not fit at row {firstRow}.", nameof(source));
        }

        fixed (float* s = source.Data)
        {
            GemmPacking.PackPanels(s, source.Stride, 1, source.Rows, Columns, RowRange(firstRow, source.Rows));
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
            GemmPacking.PackPanels(s, 1, source.Stride, Rows, Columns, Panels);
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
            float value = *Panels.Element(row, column);
            GC.KeepAlive(this);
            return value;
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
