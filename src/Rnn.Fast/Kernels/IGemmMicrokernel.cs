namespace Rnn.Fast.Kernels;

/// <summary>
/// One instruction-set path's register tiles for the GEMM driver. Every implementation computes each element of
/// C as the same chain c ← fma(a_k, b_k, c) over k in increasing order, starting from the stored C value or +0, so
/// all paths give bit-identical results; they differ only in how many elements they carry in registers at once.
/// </summary>
/// <remarks>
/// Implementations mark their tiles and rows <c>AggressiveOptimization</c>: they are compiled optimized at their first
/// call, not first as unoptimized tier-0 code that on-stack replacement later swaps out: a tier-0 tile runs an order
/// of magnitude slower, and an app's (or a benchmark's) first calls would pay for it. Tier 1 would compile the same
/// loops later: they have no virtual calls or rarely taken branches for profile-guided optimization to use.
/// </remarks>
internal unsafe interface IGemmMicrokernel
{
    /// <summary>
    /// Depth per block of the driver's loop for this path's tiles (a multiple of 16). C is stored and reloaded
    /// once per depth block, so a deeper block sweeps C fewer times; the tile re-reads its A micro-panel once per
    /// column strip, so a path that splits the tile into strips wants a micro-panel that stays in L1.
    /// </summary>
    static abstract int DepthBlock { get; }

    /// <summary>
    /// The <see cref="GemmDriver.TileRows"/>×<see cref="PackedMatrix.PanelWidth"/> tile: for r &lt; 6 and j &lt; 64,
    /// c[r·ldc + j] = chain over k &lt; depth of a[r·rowStride + k·depthStride]·b[k·64 + j], starting from
    /// initial[r·initialStride + j], or from +0 when <paramref name="initial"/> is null. The start is C itself to
    /// continue C (initial = c, initialStride = ldc) or one bias row for every row (initialStride = 0), read into
    /// registers, so a tile that starts from a bias never waits on C's lines. A is read in place (plain:
    /// rowStride = lda, depthStride = 1; transposed: rowStride = 1, depthStride = lda); <paramref name="b"/> is a
    /// k-major panel; all 6×64 elements of c are written.
    /// </summary>
    static abstract void Tile(float* a, nint rowStride, nint depthStride, float* b, nint depth, float* c, nint ldc, float* initial,
        nint initialStride);

    /// <summary>
    /// <see cref="Tile"/> for the first tile over a panel that is not packed yet: B's 64 columns at depth k are read from
    /// source[k·sourceStride + j], and the panel <paramref name="b"/> (b[k·64 + j]) is written with them, so the tiles
    /// after this one read the packed panel. Packing is a copy, so the bits are those of <see cref="Tile"/> on the
    /// packed panel.
    /// </summary>
    static abstract void TileCopyingPanel(float* a, nint rowStride, nint depthStride, float* source, nint sourceStride, float* b, nint depth,
        float* c, nint ldc, float* initial, nint initialStride);

    /// <summary>The same as <see cref="Tile"/> for 4 rows: tails of 4 or 8 rows (batches of 32 or 64) waste nothing.</summary>
    static abstract void Tile4(float* a, nint rowStride, nint depthStride, float* b, nint depth, float* c, nint ldc, float* initial,
        nint initialStride);

    /// <summary>
    /// One row against one panel: for j &lt; 64, c[j] = chain over k &lt; depth of x[k·xStride]·b[k·64 + j], from c[j] when
    /// <paramref name="loadC"/> is set, else from +0. The matrix-vector case (M = 1), the latency case of a streaming step.
    /// </summary>
    static abstract void Row(float* x, nint xStride, float* b, nint depth, float* c, bool loadC);

    /// <summary>
    /// <see cref="Row"/> for the first 32 columns of the panel only (c[j], j &lt; 32): a last panel with at most 32
    /// valid columns (an output layer of o = 32) then reads half of each 256-byte panel row, and the step streams
    /// half the bytes of that panel from L2.
    /// </summary>
    static abstract void RowHalf(float* x, nint xStride, float* b, nint depth, float* c, bool loadC);
}
