using System.Runtime.CompilerServices;

namespace Rnn.Fast.Kernels;

/// <summary>
/// A view of rows <see cref="FirstRow"/> … <see cref="FirstRow"/> + <see cref="Rows"/> − 1 of a pack in
/// <see cref="PackedMatrix"/>'s layout: what the GEMM driver reads B from. A pack of K rows and N columns holds
/// ⌊N / 64⌋ full panels, each K rows of 64 floats, then, when N is not a multiple of 64, one remainder panel of K
/// rows of exactly N mod 64 floats. Panel p starts at p·K·64; its row k at <see cref="Panel"/>(p) + k·<see cref="RowStride"/>(p).
/// </summary>
/// <remarks>
/// A view of some rows of a pack is how one pack serves two products: the model packs [Wxh ; Whh] as one
/// (d + h)×h pack, and the streaming step reads all of it while the forward pass reads Wxh (rows 0 … d − 1) for the
/// input projection and Whh (rows d … d + h − 1) for the recurrence. The pointer is raw: the pack must stay alive
/// (GC.KeepAlive) while a product reads the view.
/// </remarks>
internal readonly unsafe struct PackedPanels
{
    /// <summary>Views rows <paramref name="firstRow"/> … + <paramref name="rows"/> − 1 of a pack of <paramref name="packRows"/> rows at <paramref name="data"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public PackedPanels(float* data, int packRows, int firstRow, int rows, int columns)
    {
        Data = data;
        PanelStride = (nint)packRows * PackedMatrix.PanelWidth;
        FirstRow = firstRow;
        Rows = rows;
        Columns = columns;
        _inPlaceStride = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private PackedPanels(float* data, nint panelStride, nint inPlaceStride, int firstRow, int rows, int columns)
    {
        Data = data;
        PanelStride = panelStride;
        _inPlaceStride = inPlaceStride;
        FirstRow = firstRow;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>
    /// A row-major K×N matrix read in place as panels: panel p is its columns 64p … 64p + 63, every row
    /// <paramref name="stride"/> floats apart. For N ≤ 64 this is exactly the pack's layout; for wider matrices the tiles
    /// read each panel's rows at the matrix's stride. A remainder tile reads up to 15 floats past the last row, which
    /// must lie inside the caller's buffer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static PackedPanels InPlace(float* data, nint stride, int rows, int columns) =>
        new(data, PackedMatrix.PanelWidth, stride, 0, rows, columns);

    // The row stride of every panel of a matrix read in place; 0 for a pack (rows 64 floats apart, the remainder's width).
    private readonly nint _inPlaceStride;

    /// <summary>The first float of panel 0 of the whole pack (row 0, not <see cref="FirstRow"/>).</summary>
    public float* Data { get; }

    /// <summary>The distance in floats between the starts of consecutive panels: the pack's K·64 (64 for a matrix read in place).</summary>
    public nint PanelStride { get; }

    /// <summary>The pack row this view starts at.</summary>
    public int FirstRow { get; }

    /// <summary>K of the view: the depth of the products that read it.</summary>
    public int Rows { get; }

    /// <summary>N: the columns of the pack (and of C).</summary>
    public int Columns { get; }

    /// <summary>The number of panels: ⌈N / 64⌉.</summary>
    public int PanelCount
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (int)(((long)Columns + PackedMatrix.PanelWidth - 1) / PackedMatrix.PanelWidth);
    }

    /// <summary>The number of full 64-column panels: ⌊N / 64⌋.</summary>
    public int FullPanelCount => Columns / PackedMatrix.PanelWidth;

    /// <summary>The columns of panel <paramref name="panel"/>: 64, or N mod 64 for the remainder panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int PanelColumns(int panel) => Math.Min(PackedMatrix.PanelWidth, Columns - panel * PackedMatrix.PanelWidth);

    /// <summary>The distance in floats between consecutive rows of panel <paramref name="panel"/>: its column count in a pack, the matrix's stride in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public nint RowStride(int panel) => _inPlaceStride != 0 ? _inPlaceStride : PanelColumns(panel);

    /// <summary>Whether this is a matrix read in place (<see cref="InPlace"/>): its panels' rows lie side by side in one row of the matrix.</summary>
    public bool IsInPlace => _inPlaceStride != 0;

    /// <summary>Row <see cref="FirstRow"/> of panel <paramref name="panel"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float* Panel(int panel) => Data + panel * PanelStride + FirstRow * RowStride(panel);

    /// <summary>The element B[k, j] of the view (k counted from <see cref="FirstRow"/>).</summary>
    public float* Element(int k, int j)
    {
        int panel = j / PackedMatrix.PanelWidth;
        return Panel(panel) + k * RowStride(panel) + (j - panel * PackedMatrix.PanelWidth);
    }

    /// <summary>Rows <paramref name="first"/> … + <paramref name="count"/> − 1 of this view.</summary>
    public PackedPanels Slice(int first, int count) => new(Data, PanelStride, _inPlaceStride, FirstRow + first, count, Columns);
}
