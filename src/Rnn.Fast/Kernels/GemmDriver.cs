using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Fast.Kernels;

/// <summary>
/// The blocked GEMM loop: C (m×n) = E(start + A·B), each element one chain over k in increasing order, where A's
/// element (i, k) is at a[i·rowStride + k·depthStride] (so one driver serves A and Aᵀ), B is a view of a
/// <see cref="PackedMatrix"/>-layout pack, the start is a matrix, a bias row or +0, and E is an epilogue applied to the
/// finished chain (<see cref="StoreSum"/>, <see cref="StoreTanh"/>, <see cref="StoreTanhGradient"/>).
/// </summary>
/// <remarks>
/// <para>Loop order (after Goto and van de Geijn): depth blocks of the path's <see cref="IGemmMicrokernel.DepthBlock"/>
/// (1024 with AVX-512, 256 otherwise) in increasing k; row blocks of <see cref="RowBlock"/> rows of A (L2-resident,
/// read in place: packing A costs more than it saves when B has few panels to reuse it across); then every panel of B
/// against every register tile of the row block. A C tile is stored after each depth block and reloaded for the next,
/// which keeps each element's chain of FMAs in increasing k: a float stored and reloaded is exact, so blocking never
/// changes a bit. The epilogue runs on the last depth block only.</para>
/// <para>The tile family: the rows of a block are cut into tiles of their exact height (<see cref="NextTileHeight"/>:
/// 6-row tiles, and 1 … 5 rows for the rest, with 7 and 8 as 4 + 3 and 4 + 4), so no batch size computes padded rows; a
/// panel of c columns runs the tile ⌈c / 16⌉ vectors wide. A panel whose width is a multiple of 16 (every full panel,
/// and remainders of 16, 32 or 48 columns) is stored straight into C; any other remainder runs the same tile on a copy
/// of its start in a stack buffer and copies its c valid columns out, so sizes off the vector width have no scalar
/// cliff. A plain B read in place (the weight gradients' dA) is packed by the first tile over each panel as it
/// multiplies.</para>
/// <para>The loops here, like the tiles, are compiled optimized at their first call (<c>AggressiveOptimization</c>):
/// as tier-0 code they, the elementwise loops and the streaming step would run an app's first tens of thousands of
/// streaming steps at a multiple of the steady latency (see <c>RnnStreamingSession.Step</c>).</para>
/// </remarks>
internal static unsafe class GemmDriver
{
    /// <summary>The tallest register tile on every vector path.</summary>
    internal const int MaxTileRows = 6;

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
    /// The height of the next register tile for <paramref name="remaining"/> rows: 6 while at least 9 rows (or exactly
    /// 6) are left, 4 for 7 and 8 (4 + 3 and 4 + 4 compute no padded row and keep both tiles at least 3 rows tall), else
    /// all of them. Every height from 1 to 6 is a tile of its own, so every batch size costs its rows' work.
    /// </summary>
    internal static int NextTileHeight(int remaining) => remaining is 7 or 8 ? 4 : Math.Min(MaxTileRows, remaining);

    /// <summary>
    /// C (m×n, n = <paramref name="b"/>.Columns) = E(start + A·B), each element one chain over k in increasing order
    /// from its start: initial[i·initialStride + j] when <paramref name="initial"/> is given (C itself to accumulate, a
    /// bias row with initialStride = 0, or another matrix), else +0. E is <typeparamref name="TEpilogue"/>, applied
    /// with aux[i·auxStride + j] (read only by epilogues that need a second matrix). With
    /// <paramref name="reversePanels"/>, the panels run from the last to the first; the order of the panels changes no
    /// element's chain, so no bit. Only panels <paramref name="firstPanel"/> … + <paramref name="panelCount"/> − 1 are
    /// computed (all of them when <paramref name="panelCount"/> is negative): the workers of a parallel product each
    /// take a range of panels. With <paramref name="paddedStart"/>, every row of the start may be read as whole 16-float
    /// vectors past the last column (a zero-padded bias row, or a matrix whose row stride and buffer leave room): a
    /// remainder panel off the vector width then starts its tile from it in place instead of from a copy.
    /// </summary>
    /// <remarks>
    /// With <paramref name="plainB"/>, B is not packed yet: its element (k, j) is at plainB[k·plainBStride + j], depth is
    /// at most the path's depth block, and <paramref name="b"/> is where its panels go. The first tile over each
    /// panel then packs that panel as it reads it (<see cref="IGemmMicrokernel.TileCopyingPanel"/>); a panel whose first
    /// tile is not a full 6×64 tile, and the scalar path, pack first. Callers check every size (MatrixMultiply's entry
    /// points, or the engine's checked shapes); C must not overlap A, B or the start unless it is the start itself.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Run<TEpilogue>(InstructionSet path, float* a, nint rowStride, nint depthStride, PackedPanels b,
        float* c, nint ldc, int m, int depth, float* initial, nint initialStride, float* aux = null, nint auxStride = 0,
        bool reversePanels = false, float* plainB = null, nint plainBStride = 0, int firstPanel = 0, int panelCount = -1,
        bool paddedStart = false)
        where TEpilogue : struct, IGemmEpilogue
    {
        Debug.Assert(plainB == null || depth <= DepthBlockFor(path));
        Debug.Assert(plainB == null || typeof(TEpilogue) == typeof(StoreSum));
        Debug.Assert(m <= KernelArguments.MaxDimension && b.Columns <= KernelArguments.MaxDimension && depth <= KernelArguments.MaxDimension);
        if (m == 0) return;
        if (panelCount < 0) panelCount = b.PanelCount - firstPanel;
        if (plainB != null && path == InstructionSet.Scalar)
        {
            PackPanelRange(plainB, plainBStride, depth, b, firstPanel, panelCount);
            plainB = null;
        }

        // One panel, one depth block and one row block (the recurrences of small models, the streaming step): no
        // blocking loops, no packing, no prefetch.
        bool onePanel = panelCount == 1 && plainB == null && depth <= DepthBlockFor(path) && m <= RowBlock;
        switch (path)
        {
            case InstructionSet.Avx512:
                if (onePanel) RunOnePanel<GemmMicrokernelAvx512, TEpilogue>(a, rowStride, depthStride, b, firstPanel, c, ldc, m, depth, initial, initialStride, aux, auxStride, paddedStart);
                else RunTiles<GemmMicrokernelAvx512, TEpilogue>(a, rowStride, depthStride, b, c, ldc, m, depth, initial, initialStride, aux, auxStride,
                    reversePanels, plainB, plainBStride, firstPanel, panelCount, paddedStart);
                break;
            case InstructionSet.Avx2:
                if (onePanel) RunOnePanel<GemmMicrokernelAvx2, TEpilogue>(a, rowStride, depthStride, b, firstPanel, c, ldc, m, depth, initial, initialStride, aux, auxStride, paddedStart);
                else RunTiles<GemmMicrokernelAvx2, TEpilogue>(a, rowStride, depthStride, b, c, ldc, m, depth, initial, initialStride, aux, auxStride,
                    reversePanels, plainB, plainBStride, firstPanel, panelCount, paddedStart);
                break;
            case InstructionSet.Portable:
                if (onePanel) RunOnePanel<GemmMicrokernelPortable, TEpilogue>(a, rowStride, depthStride, b, firstPanel, c, ldc, m, depth, initial, initialStride, aux, auxStride, paddedStart);
                else RunTiles<GemmMicrokernelPortable, TEpilogue>(a, rowStride, depthStride, b, c, ldc, m, depth, initial, initialStride, aux, auxStride,
                    reversePanels, plainB, plainBStride, firstPanel, panelCount, paddedStart);
                break;
            default:
                RunScalar<TEpilogue>(a, rowStride, depthStride, b, c, ldc, m, depth, initial, initialStride, aux, auxStride, firstPanel, panelCount);
                break;
        }
    }

    /// <summary>The product over the one panel <paramref name="panel"/> of <paramref name="b"/>, in one depth block and one row block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunOnePanel<TKernel, TEpilogue>(float* a, nint rowStride, nint depthStride, PackedPanels b, int panel,
        float* c, nint ldc, int m, int depth, float* initial, nint initialStride, float* aux, nint auxStride, bool paddedStart)
        where TKernel : struct, IGemmMicrokernel
        where TEpilogue : struct, IGemmEpilogue
    {
        int j = panel * Width;
        RunPanel<TKernel, TEpilogue>(a, rowStride, depthStride, b.Panel(panel), b.RowStride(panel), b.PanelColumns(panel), depth,
            c + j, ldc, m, initial == null ? null : initial + j, initialStride, paddedStart, aux + j, auxStride, null, 0, prefetchC: false);
    }

    /// <summary>
    /// The least work, in multiply-adds (M·N·K), of a product that is split across threads: 2^21, the recurrence product
    /// of a batch of 32 with h = 256. A product alone already runs faster on two threads from about 2^15 multiply-adds
    /// (<c>probe parallel-threshold</c>), but inside the engine a split product of 2^17 to 2^20 sits between serial steps:
    /// its worker may have gone to sleep, and the caller reads the other core's output right after, so a training step
    /// whose largest products are that size runs slower split (<c>probe shapes threads</c> at the small config). Below the
    /// threshold a product runs on the calling thread exactly as in a workspace of one thread; and since the caller
    /// claims parts itself, a region never waits for a worker that is slow to wake.
    /// </summary>
    internal const long ParallelMinimumWork = 1 << 21;

    /// <summary>
    /// <see cref="Run"/> split into up to <paramref name="degree"/> parts on the <see cref="WorkerPool"/>: by ranges of
    /// panels (each part writes whole columns of C), or by ranges of rows when there are fewer panels than parts (never
    /// for a plain B, whose panels the first tiles pack). Every element is one chain computed by one thread, whatever the
    /// split, so the bits are those of <see cref="Run"/>. A product below <see cref="ParallelMinimumWork"/>, or with
    /// <paramref name="degree"/> 1, is <see cref="Run"/> itself (tests pass a lower <paramref name="minimumWork"/> to split
    /// small products).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void RunParallel<TEpilogue>(int degree, InstructionSet path, float* a, nint rowStride, nint depthStride, PackedPanels b,
        float* c, nint ldc, int m, int depth, float* initial, nint initialStride, float* aux = null, nint auxStride = 0,
        bool reversePanels = false, float* plainB = null, nint plainBStride = 0, bool paddedStart = false, long minimumWork = ParallelMinimumWork)
        where TEpilogue : struct, IGemmEpilogue
    {
        // A workspace of one thread, or a product too small to split, goes straight to the driver: this wrapper is inlined
        // into its caller, so such a product costs what it costs in a workspace of one thread.
        if (degree <= 1 || (long)m * b.Columns * depth < minimumWork)
        {
            Run<TEpilogue>(path, a, rowStride, depthStride, b, c, ldc, m, depth, initial, initialStride, aux, auxStride, reversePanels, plainB,
                plainBStride, paddedStart: paddedStart);
            return;
        }

        RunSplit<TEpilogue>(degree, path, a, rowStride, depthStride, b, c, ldc, m, depth, initial, initialStride, aux, auxStride, reversePanels,
            plainB, plainBStride, paddedStart);
    }

    /// <summary><see cref="RunParallel"/> for a degree above 1 and a product of enough work: decides the split and runs the parts on the pool.</summary>
    private static void RunSplit<TEpilogue>(int degree, InstructionSet path, float* a, nint rowStride, nint depthStride, PackedPanels b,
        float* c, nint ldc, int m, int depth, float* initial, nint initialStride, float* aux, nint auxStride,
        bool reversePanels, float* plainB, nint plainBStride, bool paddedStart)
        where TEpilogue : struct, IGemmEpilogue
    {
        // The caller checked the degree and the work: only the split is decided here.
        int panels = b.PanelCount;
        int parts = panels;
        bool byRows = false;
        if (panels >= degree) parts = degree;
        else if (plainB == null && m >= 2 * MaxTileRows)
        {
            parts = Math.Min(degree, m / MaxTileRows);
            byRows = true;
        }

        if (parts <= 1)
        {
            Run<TEpilogue>(path, a, rowStride, depthStride, b, c, ldc, m, depth, initial, initialStride, aux, auxStride, reversePanels, plainB,
                plainBStride, paddedStart: paddedStart);
            return;
        }

        var job = new ProductJob
        {
            Path = path, A = a, RowStride = rowStride, DepthStride = depthStride, B = b, C = c, Ldc = ldc, M = m, Depth = depth,
            Initial = initial, InitialStride = initialStride, Aux = aux, AuxStride = auxStride, ReversePanels = reversePanels,
            PlainB = plainB, PlainBStride = plainBStride, PaddedStart = paddedStart, Parts = parts, ByRows = byRows,
        };
        WorkerPool.Shared.Run(&RunPart<TEpilogue>, &job, parts);
    }

    /// <summary>The arguments of a product split by <see cref="RunParallel"/>, on the caller's stack while its parts run.</summary>
    private struct ProductJob
    {
        public InstructionSet Path;
        public float* A;
        public nint RowStride, DepthStride;
        public PackedPanels B;
        public float* C;
        public nint Ldc;
        public int M, Depth;
        public float* Initial;
        public nint InitialStride;
        public float* Aux;
        public nint AuxStride;
        public bool ReversePanels;
        public float* PlainB;
        public nint PlainBStride;
        public bool PaddedStart;
        public int Parts;
        public bool ByRows;
    }

    /// <summary>
    /// Part <paramref name="part"/> of a split product: panels ⌊part·P/parts⌋ … ⌊(part + 1)·P/parts⌋ − 1, or rows in whole
    /// 6-row tiles (the last part takes the rest).
    /// </summary>
    private static void RunPart<TEpilogue>(void* context, int part)
        where TEpilogue : struct, IGemmEpilogue
    {
        ref ProductJob job = ref *(ProductJob*)context;
        if (!job.ByRows)
        {
            int panels = job.B.PanelCount;
            int first = (int)((long)part * panels / job.Parts), end = (int)((long)(part + 1) * panels / job.Parts);
            if (end <= first) return;
            Run<TEpilogue>(job.Path, job.A, job.RowStride, job.DepthStride, job.B, job.C, job.Ldc, job.M, job.Depth, job.Initial, job.InitialStride,
                job.Aux, job.AuxStride, job.ReversePanels, job.PlainB, job.PlainBStride, first, end - first, job.PaddedStart);
            return;
        }

        int tiles = (job.M + MaxTileRows - 1) / MaxTileRows;
        int r0 = (int)((long)part * tiles / job.Parts) * MaxTileRows, r1 = Math.Min(job.M, (int)((long)(part + 1) * tiles / job.Parts) * MaxTileRows);
        if (r1 <= r0) return;
        // A start with a row stride of 0 is one bias row for every row; any other start moves with the rows.
        float* initial = job.Initial == null || job.InitialStride == 0 ? job.Initial : job.Initial + r0 * job.InitialStride;
        Run<TEpilogue>(job.Path, job.A + r0 * job.RowStride, job.RowStride, job.DepthStride, job.B, job.C + r0 * job.Ldc, job.Ldc, r1 - r0,
            job.Depth, initial, job.InitialStride, job.Aux + r0 * job.AuxStride, job.AuxStride, job.ReversePanels, null, 0, 0, -1, job.PaddedStart);
    }

    /// <summary>Packs panels first … first + count − 1 of a plain B (element (k, j) at plainB[k·stride + j]) into <paramref name="b"/>.</summary>
    private static void PackPanelRange(float* plainB, nint plainBStride, int depth, PackedPanels b, int first, int count)
    {
        for (int p = first; p < first + count; p++)
        {
            int j0 = p * Width;
            int columns = b.PanelColumns(p);
            PackOnePanel(plainB + j0, plainBStride, depth, columns, b, p);
        }
    }

    /// <summary>Packs one panel (its <paramref name="columns"/> columns of a plain B from <paramref name="source"/>) into panel <paramref name="panel"/> of <paramref name="b"/>.</summary>
    private static void PackOnePanel(float* source, nint sourceStride, int depth, int columns, PackedPanels b, int panel)
    {
        float* to = b.Panel(panel);
        nint stride = b.RowStride(panel);
        for (int k = 0; k < depth; k++) GemmPacking.CopyShort(source + k * sourceStride, to + k * stride, columns);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunTiles<TKernel, TEpilogue>(float* a, nint rowStride, nint depthStride, PackedPanels b,
        float* c, nint ldc, int m, int depth, float* initial, nint initialStride, float* aux, nint auxStride,
        bool reversePanels, float* plainB, nint plainBStride, int firstPanel, int panelCount, bool paddedStart)
        where TKernel : struct, IGemmMicrokernel
        where TEpilogue : struct, IGemmEpilogue
    {
        int n = b.Columns;
        for (int k0 = 0; k0 < depth; k0 += TKernel.DepthBlock)
        {
            int kc = Math.Min(TKernel.DepthBlock, depth - k0);
            bool lastBlock = k0 + kc == depth;
            // The first block starts from the given start; later blocks continue the chains C holds.
            float* start = k0 == 0 ? initial : c;
            nint startStride = k0 == 0 ? initialStride : ldc;
            bool startInPlace = k0 == 0 && paddedStart;
            // See PrefetchNextPanelsTile: only a C that L2 cannot hold, under tiles long enough to repay the hints.
            bool prefetchC = k0 > 0 && kc >= 256 && (long)m * ldc * sizeof(float) > PrefetchCAbove;
            for (int i0 = 0; i0 < m; i0 += RowBlock)
            {
                int mc = Math.Min(RowBlock, m - i0);
                // One row on a path that can carry two panels' accumulators in one pass runs panels in pairs (see
                // PairedPanel): beside the full panel before it, a remainder's few chains do not wait on their own
                // latency, and two panels of a matrix read in place read whole rows of it.
                bool pairs = TKernel.FusesRemainderRow && mc == 1 && plainB == null && panelCount >= 2;
                for (int q = 0; q < panelCount; q++)
                {
                    int p = firstPanel + (reversePanels ? panelCount - 1 - q : q);
                    int j0 = p * Width;
                    int partner = pairs ? PairedPanel(b, firstPanel, panelCount, p) : -1;
                    if (partner >= 0)
                    {
                        // The pair runs at the first of its two panels in this order; the second is then done.
                        if (reversePanels ? partner > p : partner < p) continue;
                        int first = Math.Min(p, partner), second = Math.Max(p, partner), fj = first * Width, sj = second * Width;
                        float* pairStart = start == null ? null : start + i0 * startStride;
                        RunRowPair<TKernel, TEpilogue>(lastBlock, a + i0 * rowStride + k0 * depthStride, depthStride, b.Panel(first) + k0 * b.RowStride(first),
                            b.RowStride(first), b.Panel(second) + k0 * b.RowStride(second), b.RowStride(second),
                            b.PanelColumns(second), kc, c + i0 * ldc + fj, c + i0 * ldc + sj, pairStart == null ? null : pairStart + fj,
                            pairStart == null ? null : pairStart + sj, startInPlace, aux + i0 * auxStride + fj, aux + i0 * auxStride + sj);
                        continue;
                    }

                    int columns = b.PanelColumns(p);
                    nint bStride = b.RowStride(p);
                    float* panel = b.Panel(p) + k0 * bStride;

                    // An unpacked B (see Run) is packed by the first row block's first tile over each panel, when that
                    // tile is a full 6×64 one; otherwise the panel is packed before its tiles.
                    float* packSource = null;
                    if (plainB != null && i0 == 0)
                    {
                        if (columns == Width && NextTileHeight(mc) == MaxTileRows) packSource = plainB + j0;
                        else PackOnePanel(plainB + j0, plainBStride, kc, columns, b.Slice(k0, kc), p);
                    }

                    float* block = a + i0 * rowStride + k0 * depthStride;
                    float* tile = c + i0 * ldc + j0;
                    float* tileStart = start == null ? null : start + i0 * startStride + j0;
                    float* tileAux = aux + i0 * auxStride + j0;
                    bool prefetchNext = prefetchC && j0 + Width < n;
                    if (lastBlock)
                    {
                        RunPanel<TKernel, TEpilogue>(block, rowStride, depthStride, panel, bStride, columns, kc, tile, ldc, mc, tileStart, startStride,
                            startInPlace, tileAux, auxStride, packSource, plainBStride, prefetchNext);
                    }
                    else
                    {
                        RunPanel<TKernel, StoreSum>(block, rowStride, depthStride, panel, bStride, columns, kc, tile, ldc, mc, tileStart, startStride,
                            startInPlace, null, 0, packSource, plainBStride, prefetchNext);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The panel that one row's pass over panel <paramref name="p"/> runs beside, among panels <paramref name="firstPanel"/>
    /// … + <paramref name="panelCount"/> − 1, or −1 when it runs alone: a remainder panel pairs with the full panel before
    /// it; in a matrix read in place, the other full panels pair in order, the first with the second, the third with the
    /// fourth, an odd one alone. (A packed matrix's full panels run alone: a recurrence that alternates the order of the
    /// panels finds the last one it read in L1, which a pass over two would not leave there.) Each column's chain is the
    /// same in a pair as alone.
    /// </summary>
    private static int PairedPanel(PackedPanels b, int firstPanel, int panelCount, int p)
    {
        int last = firstPanel + panelCount - 1;
        bool remainderPair = b.Columns % Width != 0 && last == b.FullPanelCount && last > firstPanel;
        if (remainderPair && p >= last - 1) return p == last ? last - 1 : last;
        if (!b.IsInPlace) return -1;
        int pairedEnd = remainderPair ? last - 1 : last + 1; // the full panels before it pair among themselves
        int partner = ((p - firstPanel) & 1) == 0 ? p + 1 : p - 1;
        return partner < pairedEnd ? partner : -1;
    }

    /// <summary>
    /// One row against a full panel and the remainder panel of <paramref name="remainderColumns"/> columns in one pass
    /// (<see cref="IGemmMicrokernel.RowWithRemainder"/>), the epilogue on the last depth block only. A remainder off the
    /// vector width is computed into a stack row and its columns copied out, as <see cref="RunPanel"/> does.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunRowPair<TKernel, TEpilogue>(bool lastBlock, float* x, nint xStride, float* panel, nint panelStride, float* remainder,
        nint remainderStride, int remainderColumns, int depth, float* c, float* cRemainder, float* start, float* startRemainder, bool startInPlace,
        float* aux, float* auxRemainder)
        where TKernel : struct, IGemmMicrokernel
        where TEpilogue : struct, IGemmEpilogue
    {
        int vectors = (remainderColumns + 15) >> 4;
        bool direct = remainderColumns == vectors << 4;
        float* edge = stackalloc float[Width];
        float* edgeAux = stackalloc float[Width];
        float* target = cRemainder, targetStart = startRemainder, targetAux = auxRemainder;
        if (!direct)
        {
            target = edge;
            if (startRemainder != null && !startInPlace)
            {
                new Span<float>(edge, Width).Clear();
                GemmPacking.CopyShort(startRemainder, edge, remainderColumns);
                targetStart = edge;
            }

            if (TEpilogue.ReadsAux && lastBlock)
            {
                new Span<float>(edgeAux, Width).Clear();
                GemmPacking.CopyShort(auxRemainder, edgeAux, remainderColumns);
                targetAux = edgeAux;
            }
        }

        if (lastBlock) RowPair<TKernel, TEpilogue>(vectors, x, xStride, panel, panelStride, remainder, remainderStride, depth, c, target, start, targetStart, aux, targetAux);
        else RowPair<TKernel, StoreSum>(vectors, x, xStride, panel, panelStride, remainder, remainderStride, depth, c, target, start, targetStart, null, null);
        if (!direct) GemmPacking.CopyShort(edge, cRemainder, remainderColumns);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowPair<TKernel, TEpilogue>(int vectors, float* x, nint xStride, float* panel, nint panelStride, float* remainder,
        nint remainderStride, int depth, float* c, float* cRemainder, float* start, float* startRemainder, float* aux, float* auxRemainder)
        where TKernel : struct, IGemmMicrokernel
        where TEpilogue : struct, IGemmEpilogue
    {
        switch (vectors)
        {
            case 1: TKernel.RowWithRemainder<TileSize1, TEpilogue>(x, xStride, panel, panelStride, remainder, remainderStride, depth, c, cRemainder, start, startRemainder, aux, auxRemainder); break;
            case 2: TKernel.RowWithRemainder<TileSize2, TEpilogue>(x, xStride, panel, panelStride, remainder, remainderStride, depth, c, cRemainder, start, startRemainder, aux, auxRemainder); break;
            case 3: TKernel.RowWithRemainder<TileSize3, TEpilogue>(x, xStride, panel, panelStride, remainder, remainderStride, depth, c, cRemainder, start, startRemainder, aux, auxRemainder); break;
            default: TKernel.RowWithRemainder<TileSize4, TEpilogue>(x, xStride, panel, panelStride, remainder, remainderStride, depth, c, cRemainder, start, startRemainder, aux, auxRemainder); break;
        }
    }

    /// <summary>
    /// One panel of <paramref name="columns"/> columns (its rows <paramref name="bStride"/> floats apart) against
    /// <paramref name="m"/> rows of A, one depth block, as register tiles of <see cref="NextTileHeight"/> rows. With
    /// <paramref name="packSource"/>, the panel is not packed yet and the first (6×64) tile packs it from there.
    /// </summary>
    // Not zeroed: the part of the edge buffers a partial panel's tile reads is cleared below, once per call (3 KiB of
    // zeroing per call would cost small products more than their arithmetic).
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunPanel<TKernel, TEpilogue>(float* a, nint rowStride, nint depthStride, float* panel, nint bStride, int columns, int depth,
        float* c, nint ldc, int m, float* start, nint startStride, bool startInPlace, float* aux, nint auxStride,
        float* packSource, nint packSourceStride, bool prefetchC)
        where TKernel : struct, IGemmMicrokernel
        where TEpilogue : struct, IGemmEpilogue
    {
        int vectors = (columns + 15) >> 4;
        if (columns == vectors << 4)
        {
            // Full panels, and remainders of 16, 32 or 48 columns: every tile stores straight into C.
            for (int r0 = 0; r0 < m;)
            {
                int rows = NextTileHeight(m - r0);
                float* tile = c + r0 * ldc;
                float* tileStart = start == null ? null : start + r0 * startStride;
                if (prefetchC) PrefetchNextPanelsTile(tile + Width, ldc, rows);
                if (packSource != null && r0 == 0)
                {
                    TKernel.TileCopyingPanel(a, rowStride, depthStride, packSource, packSourceStride, panel, depth, tile, ldc, tileStart, startStride);
                }
                else
                {
                    Tile<TKernel, TEpilogue>(rows, vectors, a + r0 * rowStride, rowStride, depthStride, panel, bStride, depth, tile, ldc, tileStart,
                        startStride, aux + r0 * auxStride, auxStride);
                }

                r0 += rows;
            }

            return;
        }

        // A remainder panel off the vector width: the tiles run on the edge buffers, whose lanes past the valid columns
        // hold zeros, padding or stale sums; each lane is its own chain and those lanes are never stored. A start copied
        // in is cleared first, once, so its lanes never hold what the stack held before (a NaN or a subnormal there
        // would cost nothing in bits but could cost time).
        float* edge = stackalloc float[MaxTileRows * Width];
        float* edgeAux = stackalloc float[MaxTileRows * Width];
        int clearedRows = 0;
        bool copiesStart = start != null && !startInPlace;
        for (int r0 = 0; r0 < m;)
        {
            int rows = NextTileHeight(m - r0);
            float* tile = c + r0 * ldc;
            float* tileStart = start == null ? null : start + r0 * startStride;
            float* tileAux = aux + r0 * auxStride;
            if (rows > clearedRows && (copiesStart || TEpilogue.ReadsAux))
            {
                if (copiesStart) new Span<float>(edge, rows * Width).Clear();
                if (TEpilogue.ReadsAux) new Span<float>(edgeAux, rows * Width).Clear();
                clearedRows = rows;
            }

            float* edgeStart = startInPlace ? tileStart : null;
            nint edgeStartStride = startInPlace ? startStride : 0;
            if (copiesStart)
            {
                // A bias row (stride 0) is copied once and read by every row of the tile.
                int startRows = startStride == 0 ? 1 : rows;
                CopyTile(tileStart, startStride, edge, Width, startRows, columns);
                edgeStart = edge;
                edgeStartStride = startStride == 0 ? 0 : Width;
            }

            if (TEpilogue.ReadsAux) CopyTile(tileAux, auxStride, edgeAux, Width, rows, columns);
            Tile<TKernel, TEpilogue>(rows, vectors, a + r0 * rowStride, rowStride, depthStride, panel, bStride, depth, edge, Width, edgeStart,
                edgeStartStride, edgeAux, Width);
            CopyTile(edge, Width, tile, ldc, rows, columns);
            r0 += rows;
        }
    }

    /// <summary>
    /// Runs the tile of <paramref name="rows"/> × 16·<paramref name="vectors"/> (each 1 … 6 and 1 … 4) of
    /// <typeparamref name="TKernel"/>: one jump table over the 24 specializations, one call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TKernel, TEpilogue>(int rows, int vectors, float* a, nint rowStride, nint depthStride, float* b, nint bStride,
        nint depth, float* c, nint ldc, float* initial, nint initialStride, float* aux, nint auxStride)
        where TKernel : struct, IGemmMicrokernel
        where TEpilogue : struct, IGemmEpilogue
    {
        switch ((rows - 1) * 4 + vectors - 1)
        {
            case 0: TKernel.Tile<TileSize1, TileSize1, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 1: TKernel.Tile<TileSize1, TileSize2, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 2: TKernel.Tile<TileSize1, TileSize3, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 3: TKernel.Tile<TileSize1, TileSize4, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 4: TKernel.Tile<TileSize2, TileSize1, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 5: TKernel.Tile<TileSize2, TileSize2, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 6: TKernel.Tile<TileSize2, TileSize3, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 7: TKernel.Tile<TileSize2, TileSize4, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 8: TKernel.Tile<TileSize3, TileSize1, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 9: TKernel.Tile<TileSize3, TileSize2, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 10: TKernel.Tile<TileSize3, TileSize3, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 11: TKernel.Tile<TileSize3, TileSize4, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 12: TKernel.Tile<TileSize4, TileSize1, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 13: TKernel.Tile<TileSize4, TileSize2, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 14: TKernel.Tile<TileSize4, TileSize3, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 15: TKernel.Tile<TileSize4, TileSize4, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 16: TKernel.Tile<TileSize5, TileSize1, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 17: TKernel.Tile<TileSize5, TileSize2, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 18: TKernel.Tile<TileSize5, TileSize3, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 19: TKernel.Tile<TileSize5, TileSize4, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 20: TKernel.Tile<TileSize6, TileSize1, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 21: TKernel.Tile<TileSize6, TileSize2, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            case 22: TKernel.Tile<TileSize6, TileSize3, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
            default: TKernel.Tile<TileSize6, TileSize4, TEpilogue>(a, rowStride, depthStride, b, bStride, depth, c, ldc, initial, initialStride, aux, auxStride); break;
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

    /// <summary>The scalar path: the same chains, one element at a time, with <see cref="MathF.FusedMultiplyAdd"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunScalar<TEpilogue>(float* a, nint rowStride, nint depthStride, PackedPanels b, float* c, nint ldc, int m, int depth,
        float* initial, nint initialStride, float* aux, nint auxStride, int firstPanel, int panelCount)
        where TEpilogue : struct, IGemmEpilogue
    {
        for (int p = firstPanel; p < firstPanel + panelCount; p++)
        {
            int j0 = p * Width, columns = b.PanelColumns(p);
            nint bStride = b.RowStride(p);
            float* panel = b.Panel(p);
            for (int i = 0; i < m; i++)
            {
                float* aRow = a + i * rowStride;
                for (int j = 0; j < columns; j++)
                {
                    float* bColumn = panel + j;
                    float sum = initial != null ? initial[i * initialStride + j0 + j] : 0f;
                    for (int k = 0; k < depth; k++)
                    {
                        sum = MathF.FusedMultiplyAdd(aRow[k * depthStride], bColumn[k * bStride], sum);
                    }

                    c[i * ldc + j0 + j] = TEpilogue.Apply(sum, aux + i * auxStride + j0 + j);
                }
            }
        }
    }

    /// <summary>Copies a rows×columns block between a tile of C and the edge buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyTile(float* from, nint fromStride, float* to, nint toStride, int rows, int columns)
    {
        for (int r = 0; r < rows; r++) GemmPacking.CopyShort(from + r * fromStride, to + r * toStride, columns);
    }
}
