using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Fast.Kernels;

/// <summary>
/// AVX2+FMA tiles for a machine with 16 vector registers: a tile of 2 … 6 rows runs as strips of 16 columns, each
/// with rows × 2 ymm accumulators, 2 loads of B and 1 broadcast (at most 15 registers); one row runs every column of
/// the panel in one pass (up to 8 accumulators). Wider tiles such as 8×24 spill.
/// </summary>
internal readonly unsafe struct GemmMicrokernelAvx2 : IGemmMicrokernel
{
    /// <summary>
    /// 256: each strip re-reads the rows×256 A micro-panel, which then stays in L1; a deeper block would push it out
    /// to L2 between strips.
    /// </summary>
    public static int DepthBlock => 256;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile<TRows, TVectors, TEpilogue>(float* a, nint rowStride, nint depthStride, float* b, nint bStride, nint depth,
        float* c, nint ldc, float* initial, nint initialStride, float* aux, nint auxStride)
        where TRows : struct, ITileSize
        where TVectors : struct, ITileSize
        where TEpilogue : struct, IGemmEpilogue
    {
        int rows = TRows.Value;
        if (rows == 1)
        {
            // One row: every column of the panel in one pass over k, so x is read once.
            RowStrips<TVectors>(a, depthStride, b, bStride, depth, c, initial);
        }
        else
        {

            // Strips of 16 columns: rows × 2 accumulators + 2 loads of B + 1 broadcast fit the 16 registers.
            int strips = TVectors.Value * 1;
            for (int s = 0; s < strips; s++)
            {
                nint column = s * 16;
                Strip<TRows>(a, rowStride, depthStride, b + column, bStride, depth, c + column, ldc,
                    initial == null ? null : initial + column, initialStride);
            }
        }

        if (!TEpilogue.IsIdentity) ApplyEpilogue<TEpilogue>(rows, 16 * TVectors.Value, c, ldc, aux, auxStride);
    }

    /// <summary>One strip of 16 columns of <see cref="Tile"/>, for 2 … 6 rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Strip<TRows>(float* a, nint rowStride, nint depthStride, float* b, nint bStride, nint depth,
        float* c, nint ldc, float* initial, nint initialStride)
        where TRows : struct, ITileSize
    {
        int rows = TRows.Value;
        nint o1 = rowStride, o2 = 2 * rowStride, o3 = 3 * rowStride, o4 = 4 * rowStride, o5 = 5 * rowStride;
        Vector256<float> c00 = default, c01 = default;
        Vector256<float> c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default;
        Vector256<float> c50 = default, c51 = default;
        if (initial != null)
        {
            c00 = Vector256.Load(initial + 0 * initialStride);
            c01 = Vector256.Load(initial + 0 * initialStride + 8);
            c10 = Vector256.Load(initial + 1 * initialStride);
            c11 = Vector256.Load(initial + 1 * initialStride + 8);
            if (rows > 2)
            {
                c20 = Vector256.Load(initial + 2 * initialStride);
                c21 = Vector256.Load(initial + 2 * initialStride + 8);
            }
            if (rows > 3)
            {
                c30 = Vector256.Load(initial + 3 * initialStride);
                c31 = Vector256.Load(initial + 3 * initialStride + 8);
            }
            if (rows > 4)
            {
                c40 = Vector256.Load(initial + 4 * initialStride);
                c41 = Vector256.Load(initial + 4 * initialStride + 8);
            }
            if (rows > 5)
            {
                c50 = Vector256.Load(initial + 5 * initialStride);
                c51 = Vector256.Load(initial + 5 * initialStride + 8);
            }
        }

        float* ak = a;
        float* bk = b;
        for (nint k = 0; k < depth; k++)
        {
            Vector256<float> b0 = Vector256.Load(bk);
            Vector256<float> b1 = Vector256.Load(bk + 8);
            Vector256<float> a0 = Vector256.Create(ak[0]);
            c00 = Fma.MultiplyAdd(a0, b0, c00);
            c01 = Fma.MultiplyAdd(a0, b1, c01);
            Vector256<float> a1 = Vector256.Create(ak[o1]);
            c10 = Fma.MultiplyAdd(a1, b0, c10);
            c11 = Fma.MultiplyAdd(a1, b1, c11);
            if (rows > 2)
            {
                Vector256<float> a2 = Vector256.Create(ak[o2]);
                c20 = Fma.MultiplyAdd(a2, b0, c20);
                c21 = Fma.MultiplyAdd(a2, b1, c21);
            }
            if (rows > 3)
            {
                Vector256<float> a3 = Vector256.Create(ak[o3]);
                c30 = Fma.MultiplyAdd(a3, b0, c30);
                c31 = Fma.MultiplyAdd(a3, b1, c31);
            }
            if (rows > 4)
            {
                Vector256<float> a4 = Vector256.Create(ak[o4]);
                c40 = Fma.MultiplyAdd(a4, b0, c40);
                c41 = Fma.MultiplyAdd(a4, b1, c41);
            }
            if (rows > 5)
            {
                Vector256<float> a5 = Vector256.Create(ak[o5]);
                c50 = Fma.MultiplyAdd(a5, b0, c50);
                c51 = Fma.MultiplyAdd(a5, b1, c51);
            }
            ak += depthStride;
            bk += bStride;
        }

        c00.Store(c + 0 * ldc);
        c01.Store(c + 0 * ldc + 8);
        c10.Store(c + 1 * ldc);
        c11.Store(c + 1 * ldc + 8);
        if (rows > 2)
        {
            c20.Store(c + 2 * ldc);
            c21.Store(c + 2 * ldc + 8);
        }
        if (rows > 3)
        {
            c30.Store(c + 3 * ldc);
            c31.Store(c + 3 * ldc + 8);
        }
        if (rows > 4)
        {
            c40.Store(c + 4 * ldc);
            c41.Store(c + 4 * ldc + 8);
        }
        if (rows > 5)
        {
            c50.Store(c + 5 * ldc);
            c51.Store(c + 5 * ldc + 8);
        }
    }

    /// <summary>
    /// The one-row <see cref="Tile"/>: up to 8 accumulators of 8 lanes across the panel in one pass over k
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowStrips<TVectors>(float* x, nint xStride, float* b, nint bStride, nint depth, float* c, float* initial)
        where TVectors : struct, ITileSize
    {
        RowPart<TVectors>(x, xStride, b, bStride, depth, c, initial);
    }

    /// <summary>One row over <typeparamref name="TUnits"/> groups of 16 columns (2 vectors each) in one pass over k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowPart<TUnits>(float* x, nint xStride, float* b, nint bStride, nint depth, float* c, float* initial)
        where TUnits : struct, ITileSize
    {
        int vectors = TUnits.Value * 2;
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        if (initial != null)
        {
            c0 = Vector256.Load(initial + 0);
            if (vectors > 1) c1 = Vector256.Load(initial + 8);
            if (vectors > 2) c2 = Vector256.Load(initial + 16);
            if (vectors > 3) c3 = Vector256.Load(initial + 24);
            if (vectors > 4) c4 = Vector256.Load(initial + 32);
            if (vectors > 5) c5 = Vector256.Load(initial + 40);
            if (vectors > 6) c6 = Vector256.Load(initial + 48);
            if (vectors > 7) c7 = Vector256.Load(initial + 56);
        }

        float* xk = x;
        float* bk = b;
        for (nint k = 0; k < depth; k++)
        {
            Vector256<float> xv = Vector256.Create(*xk);
            c0 = Fma.MultiplyAdd(xv, Vector256.Load(bk + 0), c0);
            if (vectors > 1) c1 = Fma.MultiplyAdd(xv, Vector256.Load(bk + 8), c1);
            if (vectors > 2) c2 = Fma.MultiplyAdd(xv, Vector256.Load(bk + 16), c2);
            if (vectors > 3) c3 = Fma.MultiplyAdd(xv, Vector256.Load(bk + 24), c3);
            if (vectors > 4) c4 = Fma.MultiplyAdd(xv, Vector256.Load(bk + 32), c4);
            if (vectors > 5) c5 = Fma.MultiplyAdd(xv, Vector256.Load(bk + 40), c5);
            if (vectors > 6) c6 = Fma.MultiplyAdd(xv, Vector256.Load(bk + 48), c6);
            if (vectors > 7) c7 = Fma.MultiplyAdd(xv, Vector256.Load(bk + 56), c7);
            xk += xStride;
            bk += bStride;
        }

        c0.Store(c + 0);
        if (vectors > 1) c1.Store(c + 8);
        if (vectors > 2) c2.Store(c + 16);
        if (vectors > 3) c3.Store(c + 24);
        if (vectors > 4) c4.Store(c + 32);
        if (vectors > 5) c5.Store(c + 40);
        if (vectors > 6) c6.Store(c + 48);
        if (vectors > 7) c7.Store(c + 56);
    }

    /// <summary>
    /// The epilogue of a tile, after its sums were stored: each is read back from L1, transformed and stored again. Applied
    /// to the accumulators still in registers, the epilogue's temporaries would make the register allocator spill
    /// accumulators inside the k loop; a float stored and reloaded is exact, so the bits are the same.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ApplyEpilogue<TEpilogue>(int rows, int columns, float* c, nint ldc, float* aux, nint auxStride)
        where TEpilogue : struct, IGemmEpilogue
    {
        for (int r = 0; r < rows; r++)
        {
            float* row = c + r * ldc, auxRow = aux + r * auxStride;
            for (int j = 0; j < columns; j += 8)
            {
                TEpilogue.Apply(Vector256.Load(row + j), auxRow + j).Store(row + j);
            }
        }
    }

    /// <summary>
    /// Packs the panel, then runs <see cref="Tile"/> on it: the same panel and the same bits as the fused copy of the
    /// AVX-512 tile, which was measured on that path only.
    /// </summary>
    public static void TileCopyingPanel(float* a, nint rowStride, nint depthStride, float* source, nint sourceStride, float* b, nint depth,
        float* c, nint ldc, float* initial, nint initialStride)
    {
        GemmPacking.PackPanels(source, sourceStride, 1, (int)depth, PackedMatrix.PanelWidth,
            new PackedPanels(b, (int)depth, 0, (int)depth, PackedMatrix.PanelWidth));
        Tile<TileSize6, TileSize4, StoreSum>(a, rowStride, depthStride, b, PackedMatrix.PanelWidth, depth, c, ldc, initial, initialStride, null, 0);
    }

    /// <inheritdoc/>
    public static bool FusesRemainderRow => false;

    /// <summary>Not on this path (16 registers): the driver runs the panels one after the other.</summary>
    public static void RowWithRemainder<TVectors, TEpilogue>(float* x, nint xStride, float* panel, nint panelStride, float* remainder,
        nint remainderStride, nint depth, float* c, float* cRemainder, float* initial, float* initialRemainder, float* aux, float* auxRemainder)
        where TVectors : struct, ITileSize
        where TEpilogue : struct, IGemmEpilogue => throw new NotSupportedException();
}
