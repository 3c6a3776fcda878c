using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Fast.Kernels;

/// <summary>
/// The blocked GEMM loop: C (m×n) = C, a bias row or 0, then += A·B over k in increasing order, where A's element (i, k) is at
/// a[i·rowStride + k·depthStride] (so one driver serves A and Aᵀ) and B is a <see cref="PackedMatrix"/>-layout pack.
/// </summary>
/// <remarks>
/// Loop order (after Goto and van de Geijn): depth blocks of the path's <see cref="IGemmMicrokernel.DepthBlock"/>
/// (1024 with AVX-512, 256 otherwise) in increasing k; row blocks of
/// <see cref="RowBlock"/> rows of A (L2-resident, read in place: packing A costs more than it saves when B has few
/// panels to reuse it across); then every 64-column panel of B against every 6-row tile. A C tile is stored after each depth block and reloaded for the next, which keeps each
/// element's chain of FMAs in increasing k: a float stored and reloaded is exact, so blocking never changes a bit.
/// Edge tiles (fewer than 6 rows or 64 columns) run the same register tile on a zero-padded copy in a stack buffer.
/// The loops here, like the tiles, are compiled optimized at their first call (<c>AggressiveOptimization</c>): as
/// tier-0 code they, the elementwise loops and the streaming step would run an app's first tens of thousands of
/// streaming steps at a multiple of the steady latency (see <c>RnnStreamingSession.Step</c>).
/// </remarks>
internal static unsafe class GemmDriver
{
    /// <summary>Rows per register tile on every vector path.</summary>
    internal const int TileRows = 6;

    /// <summary>
    /// Rows of A per block: 120 rows by a depth block of 1024 are 480 KiB, inside a 1 MiB L2 beside a 256 KiB B panel
    /// (smaller blocks do no better).
    /// </summary>
    internal const int RowBlock = 120;

    private const int Width = PackedMatrix.PanelWidth;

    /// <summary>The depth block of <paramref name="path"/>'s tiles; a product with a plain B packs it that many rows at a time.</summary>
    internal static int DepthBlockFor(InstructionSet path) => path switch
    {
        InstructionSet.Avx512 => GemmMicrokernelAvx512.DepthBlock,
        InstructionSet.Avx2 => GemmMicrokernelAvx2.DepthBlock,
        _ => GemmMicrokernelPortable.DepthBlock,
    };

    /// <summary>
    /// C (m×n) = start + A·B, each element one chain over k in increasing order from its start: C's own value when
    /// <paramref name="accumulate"/> is set, else <paramref name="bias"/>[j] when a bias is given (every row starts from
    /// the same n values), else +0. With <paramref name="reversePanels"/>, a one-row product (m = 1) runs its panels
    /// from the last to the first; the order of the panels changes no element's chain, so no bit.
    /// </summary>
    /// <remarks>
    /// With <paramref name="plainB"/>, B is not packed yet: its element (k, j) is at plainB[k·plainBStride + j], depth is
    /// at most the path's depth block, and <paramref name="packedB"/> is where its panels go. The first tile over each
    /// panel then packs that panel as it reads it (<see cref="IGemmMicrokernel.TileCopyingPanel"/>); a panel whose first
    /// tile is not a full 6×64 tile, a one-row product and the scalar path pack first.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Run(InstructionSet path, float* a, nint rowStride, nint depthStride, float* packedB, nint panelStride,
        float* c, nint ldc, int m, int n, int depth, bool accumulate, float* bias = null, bool reversePanels = false,
        float* plainB = null, nint plainBStride = 0)
    {
        Debug.Assert(plainB == null || depth <= DepthBlockFor(path));
        // Callers checked the sizes (MatrixMultiply's entry points, or a model's buildable shape for the streaming step).
        Debug.Assert(m <= KernelArguments.MaxDimension && n <= KernelArguments.MaxDimension && depth <= KernelArguments.MaxDimension);
        if (plainB != null && (m == 1 || path == InstructionSet.Scalar))
        {
            GemmPacking.PackPanels(plainB, plainBStride, 1, depth, n, packedB);
            plainB = null;
        }

        switch (path)
        {
            case InstructionSet.Avx512:
                Run<GemmMicrokernelAvx512>(a, rowStride, depthStride, packedB, panelStride, c, ldc, m, n, depth, accumulate, bias, reversePanels, plainB,
                    plainBStride);
                break;
            case InstructionSet.Avx2:
                Run<GemmMicrokernelAvx2>(a, rowStride, depthStride, packedB, panelStride, c, ldc, m, n, depth, accumulate, bias, reversePanels, plainB,
                    plainBStride);
                break;
            case InstructionSet.Portable:
                Run<GemmMicrokernelPortable>(a, rowStride, depthStride, packedB, panelStride, c, ldc, m, n, depth, accumulate, bias, reversePanels,
                    plainB, plainBStride);
                break;
            default:
                RunScalar(a, rowStride, depthStride, packedB, panelStride, c, ldc, m, n, depth, accumulate, bias);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TKernel>(float* a, nint rowStride, nint depthStride, float* packedB, nint panelStride,
        float* c, nint ldc, int m, int n, int depth, bool accumulate, float* bias, bool reversePanels, float* plainB, nint plainBStride)
        where TKernel : struct, IGemmMicrokernel
    {
        if (m == 1)
        {
            // One row: writing the bias into it first is the same start, and its n floats are then in L1.
            if (!accumulate && bias != null)
            {
                new ReadOnlySpan<float>(bias, n).CopyTo(new Span<float>(c, n));
                accumulate = true;
            }

            RunRow<TKernel>(a, depthStride, packedB, panelStride, c, n, depth, accumulate, reversePanels);
        }
        else
        {
            RunTiles<TKernel>(a, rowStride, depthStride, packedB, panelStride, c, ldc, m, n, depth, accumulate, bias, plainB, plainBStride);
        }
    }

    /// <summary>
    /// Matrix-vector (M = 1): no packing of A, one row kernel per panel over the whole depth. Kept apart from the
    /// tiled loop so the latency case sets up only a one-row edge buffer. A sequence of such products over the same B
    /// (the recurrence at batch 1) should alternate <paramref name="reversePanels"/> from one step to the next: a step
    /// then starts with the panel the previous one read last, likely still in L1, where a 64 KiB Whh (h = 128) read in
    /// the same order every step cycles through a 48 KiB L1. The streaming Step does not alternate between calls: it
    /// reads its input and output weights between two recurrences, so no panel of Whh survives in L1 anyway.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunRow<TKernel>(float* x, nint xStride, float* packedB, nint panelStride, float* c, int n, int depth,
        bool accumulate, bool reversePanels)
        where TKernel : struct, IGemmMicrokernel
    {
        float* edge = stackalloc float[Width];
        int panels = (n + Width - 1) / Width;
        for (int p = 0; p < panels; p++)
        {
            int j0 = (reversePanels ? panels - 1 - p : p) * Width;
            float* panel = packedB + (j0 / Width) * panelStride;
            int columns = Math.Min(Width, n - j0);
            // The row kernels write 64 or 32 columns: any other count goes through the edge buffer. A last panel
            // of at most 32 valid columns runs the half-width row, which reads only the first half of each
            // panel row, so an output layer of o = 32 streams 16 KiB of weights per step, not 32.
            bool direct = columns is Width or Width / 2;
            float* target = direct ? c + j0 : edge;
            if (!direct && accumulate) CopyTile(c + j0, 1, edge, Width, 1, columns);
            if (columns <= Width / 2) TKernel.RowHalf(x, xStride, panel, depth, target, accumulate);
            else TKernel.Row(x, xStride, panel, depth, target, accumulate);
            if (!direct) CopyTile(edge, Width, c + j0, 1, 1, columns);
        }
    }

    // Not zeroed: the edge-row panel is written in full by PackRows before every read, and the edge tile is
    // cleared below (24 KiB of zeroing per call would cost small products more than their arithmetic).
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunTiles<TKernel>(float* a, nint rowStride, nint depthStride, float* packedB, nint panelStride,
        float* c, nint ldc, int m, int n, int depth, bool accumulate, float* bias, float* plainB, nint plainBStride)
        where TKernel : struct, IGemmMicrokernel
    {
        float* edge = stackalloc float[TileRows * Width];
        new Span<float>(edge, TileRows * Width).Clear();

        // Edge rows (fewer than a tile) are copied into a zero-padded 6-row panel so the same tile runs on them.
        float* edgeRows = stackalloc float[TileRows * TKernel.DepthBlock];
        for (int k0 = 0; k0 < depth; k0 += TKernel.DepthBlock)
        {
            int kc = Math.Min(TKernel.DepthBlock, depth - k0);
            bool loadC = accumulate || k0 > 0;
            // A first block without C starts each tile from the bias row in registers, so C is only written.
            float* startRow = loadC ? null : bias;
            // See PrefetchNextPanelsTile: only a C that L2 cannot hold, under tiles long enough to repay the hints.
            bool prefetchC = loadC && kc >= 256 && (long)m * ldc * sizeof(float) > PrefetchCAbove;
            for (int i0 = 0; i0 < m; i0 += RowBlock)
            {
                int mc = Math.Min(RowBlock, m - i0);
                int sixRowEnd = SixRowTiles(mc) * TileRows;
                for (int j0 = 0; j0 < n; j0 += Width)
                {
                    float* panel = packedB + (j0 / Width) * panelStride + (nint)k0 * Width;
                    int columns = Math.Min(Width, n - j0);
                    // An unpacked B (see Run) is packed by the first row block's first tile over each panel, when that
                    // tile is a full 6×64 one; otherwise the panel is packed before its tiles.
                    bool packInFirstTile = false;
                    if (plainB != null && i0 == 0)
                    {
                        packInFirstTile = columns == Width && sixRowEnd > 0;
                        if (!packInFirstTile) GemmPacking.PackPanels(plainB + j0, plainBStride, 1, kc, columns, panel);
                    }

                    for (int r0 = 0; r0 < mc;)
                    {
                        // 6-row tiles, then 4-row tiles for the tail (see SixRowTiles); a short last tile is padded.
                        bool six = r0 < sixRowEnd || mc - r0 == 5;
                        int height = six ? TileRows : 4;
                        int rows = Math.Min(height, mc - r0);
                        float* block = a + (i0 + r0) * rowStride + k0 * depthStride;
                        float* tile = c + (i0 + r0) * ldc + j0;
                        bool firstTile = r0 == 0;
                        r0 += rows;
                        if (prefetchC && j0 + Width < n) PrefetchNextPanelsTile(tile + Width, ldc, rows);
                        if (rows == height && columns == Width)
                        {
                            float* initial = loadC ? tile : startRow == null ? null : startRow + j0;
                            nint initialStride = loadC ? ldc : 0;
                            if (packInFirstTile && firstTile)
                            {
                                TKernel.TileCopyingPanel(block, rowStride, depthStride, plainB + j0, plainBStride, panel, kc, tile, ldc, initial,
                                    initialStride);
                            }
                            else if (six) TKernel.Tile(block, rowStride, depthStride, panel, kc, tile, ldc, initial, initialStride);
                            else TKernel.Tile4(block, rowStride, depthStride, panel, kc, tile, ldc, initial, initialStride);
                            continue;
                        }

                        float* source = block;
                        nint sourceRowStride = rowStride, sourceDepthStride = depthStride;
                        if (rows < height)
                        {
                            GemmPacking.PackRows(block, rowStride, depthStride, rows, kc, height, edgeRows);
                            source = edgeRows;
                            sourceRowStride = 1;
                            sourceDepthStride = height;
                        }

                        // Lanes outside the valid block hold stale values; each lane is its own chain and those
                        // lanes are never stored, so they cannot affect a result.
                        if (loadC) CopyTile(tile, ldc, edge, Width, rows, columns);
                        else if (startRow != null) CopyTile(startRow + j0, 0, edge, Width, rows, columns);
                        float* edgeStart = loadC || startRow != null ? edge : null;
                        if (six) TKernel.Tile(source, sourceRowStride, sourceDepthStride, panel, kc, edge, Width, edgeStart, Width);
                        else TKernel.Tile4(source, sourceRowStride, sourceDepthStride, panel, kc, edge, Width, edgeStart, Width);
                        CopyTile(edge, Width, tile, ldc, rows, columns);
                    }
                }
            }
        }
    }

    /// <summary>C larger than this many bytes (this machine's L2) is prefetched; a smaller C stays in cache anyway.</summary>
    private const long PrefetchCAbove = 1 << 20;

    /// <summary>
    /// Hints (prefetcht2) the rows of C that this tile's rows will need at the next panel, 64 columns to the right: the
    /// row block's tiles run down one panel before moving right, so the lines are asked for a whole panel's worth of
    /// tiles before use, in pages this tile already touches. Where C does not fit L2, each tile otherwise starts by
    /// waiting for its 24 lines. Under short tiles (depth blocks below 256) the hints cost more than they save, hence
    /// the rule. No-op off x86; a prefetch never changes a result.
    /// </summary>
    private static void PrefetchNextPanelsTile(float* tile, nint ldc, int rows)
    {
        if (!Sse.IsSupported) return;
        for (int r = 0; r < rows; r++)
        {
            float* row = tile + r * ldc;
            Sse.Prefetch2(row);
            Sse.Prefetch2(row + 16);
            Sse.Prefetch2(row + 32);
            Sse.Prefetch2(row + 48);
        }
    }

    /// <summary>
    /// How many 6-row tiles start a block of <paramref name="rows"/> rows; 4-row tiles cover the rest. A remainder of
    /// 4 takes one 4-row tile and a remainder of 2 gives up one 6-row tile for two 4-row tiles (32 = 4·6 + 2·4), so
    /// the batch sizes people use waste no row; remainders 1 and 3 pad one 4-row tile, 5 pads one 6-row tile.
    /// </summary>
    internal static int SixRowTiles(int rows)
    {
        int sixes = rows / TileRows;
        return rows % TileRows == 2 && sixes > 0 ? sixes - 1 : sixes;
    }

    /// <summary>The scalar path: the same chains, one element at a time, with <see cref="MathF.FusedMultiplyAdd"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunScalar(float* a, nint rowStride, nint depthStride, float* packedB, nint panelStride,
        float* c, nint ldc, int m, int n, int depth, bool accumulate, float* bias)
    {
        for (int i = 0; i < m; i++)
        {
            float* aRow = a + i * rowStride;
            for (int j = 0; j < n; j++)
            {
                float* bColumn = packedB + (j / Width) * panelStride + (j % Width);
                float sum = accumulate ? c[i * ldc + j] : bias != null ? bias[j] : 0f;
                for (int k = 0; k < depth; k++)
                {
                    sum = MathF.FusedMultiplyAdd(aRow[k * depthStride], bColumn[(nint)k * Width], sum);
                }

                c[i * ldc + j] = sum;
            }
        }
    }

    /// <summary>Copies a rows×columns block between a tile of C and the edge buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyTile(float* from, nint fromStride, float* to, nint toStride, int rows, int columns)
    {
        for (int r = 0; r < rows; r++)
        {
            new ReadOnlySpan<float>(from + r * fromStride, columns).CopyTo(new Span<float>(to + r * toStride, columns));
        }
    }
}
