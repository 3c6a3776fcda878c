using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Rnn.Fast.Kernels;

/// <summary>
/// Vector128 tiles for any CPU with 128-bit vectors and a hardware FMA (SSE+FMA on x64, AdvSimd on ARM64): a tile of
/// 2 … 6 rows runs as strips of 8 columns of rows × 2 accumulators, which fit the 16 registers of x64 and leave room
/// on ARM64; one row runs 32 columns per pass (8 accumulators).
/// </summary>
internal readonly unsafe struct GemmMicrokernelPortable : IGemmMicrokernel
{
    /// <summary>256: like the AVX2 tile, the strips re-read the A micro-panel, which then stays in L1.</summary>
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

            // Strips of 8 columns: rows × 2 accumulators + 2 loads of B + 1 broadcast fit the 16 registers.
            int strips = TVectors.Value * 2;
            for (int s = 0; s < strips; s++)
            {
                nint column = s * 8;
                Strip<TRows>(a, rowStride, depthStride, b + column, bStride, depth, c + column, ldc,
                    initial == null ? null : initial + column, initialStride);
            }
        }

        if (!TEpilogue.IsIdentity) ApplyEpilogue<TEpilogue>(rows, 16 * TVectors.Value, c, ldc, aux, auxStride);
    }

    /// <summary>One strip of 8 columns of <see cref="Tile"/>, for 2 … 6 rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Strip<TRows>(float* a, nint rowStride, nint depthStride, float* b, nint bStride, nint depth,
        float* c, nint ldc, float* initial, nint initialStride)
        where TRows : struct, ITileSize
    {
        int rows = TRows.Value;
        nint o1 = rowStride, o2 = 2 * rowStride, o3 = 3 * rowStride, o4 = 4 * rowStride, o5 = 5 * rowStride;
        Vector128<float> c00 = default, c01 = default;
        Vector128<float> c10 = default, c11 = default;
        Vector128<float> c20 = default, c21 = default;
        Vector128<float> c30 = default, c31 = default;
        Vector128<float> c40 = default, c41 = default;
        Vector128<float> c50 = default, c51 = default;
        if (initial != null)
        {
            c00 = Vector128.Load(initial + 0 * initialStride);
            c01 = Vector128.Load(initial + 0 * initialStride + 4);
            c10 = Vector128.Load(initial + 1 * initialStride);
            c11 = Vector128.Load(initial + 1 * initialStride + 4);
            if (rows > 2)
            {
                c20 = Vector128.Load(initial + 2 * initialStride);
                c21 = Vector128.Load(initial + 2 * initialStride + 4);
            }
            if (rows > 3)
            {
                c30 = Vector128.Load(initial + 3 * initialStride);
                c31 = Vector128.Load(initial + 3 * initialStride + 4);
            }
            if (rows > 4)
            {
                c40 = Vector128.Load(initial + 4 * initialStride);
                c41 = Vector128.Load(initial + 4 * initialStride + 4);
            }
            if (rows > 5)
            {
                c50 = Vector128.Load(initial + 5 * initialStride);
                c51 = Vector128.Load(initial + 5 * initialStride + 4);
            }
        }

        float* ak = a;
        float* bk = b;
        for (nint k = 0; k < depth; k++)
        {
            Vector128<float> b0 = Vector128.Load(bk);
            Vector128<float> b1 = Vector128.Load(bk + 4);
            Vector128<float> a0 = Vector128.Create(ak[0]);
            c00 = Vector128.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector128.FusedMultiplyAdd(a0, b1, c01);
            Vector128<float> a1 = Vector128.Create(ak[o1]);
            c10 = Vector128.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector128.FusedMultiplyAdd(a1, b1, c11);
            if (rows > 2)
            {
                Vector128<float> a2 = Vector128.Create(ak[o2]);
                c20 = Vector128.FusedMultiplyAdd(a2, b0, c20);
                c21 = Vector128.FusedMultiplyAdd(a2, b1, c21);
            }
            if (rows > 3)
            {
                Vector128<float> a3 = Vector128.Create(ak[o3]);
                c30 = Vector128.FusedMultiplyAdd(a3, b0, c30);
                c31 = Vector128.FusedMultiplyAdd(a3, b1, c31);
            }
            if (rows > 4)
            {
                Vector128<float> a4 = Vector128.Create(ak[o4]);
                c40 = Vector128.FusedMultiplyAdd(a4, b0, c40);
                c41 = Vector128.FusedMultiplyAdd(a4, b1, c41);
            }
            if (rows > 5)
            {
                Vector128<float> a5 = Vector128.Create(ak[o5]);
                c50 = Vector128.FusedMultiplyAdd(a5, b0, c50);
                c51 = Vector128.FusedMultiplyAdd(a5, b1, c51);
            }
            ak += depthStride;
            bk += bStride;
        }

        c00.Store(c + 0 * ldc);
        c01.Store(c + 0 * ldc + 4);
        c10.Store(c + 1 * ldc);
        c11.Store(c + 1 * ldc + 4);
        if (rows > 2)
        {
            c20.Store(c + 2 * ldc);
            c21.Store(c + 2 * ldc + 4);
        }
        if (rows > 3)
        {
            c30.Store(c + 3 * ldc);
            c31.Store(c + 3 * ldc + 4);
        }
        if (rows > 4)
        {
            c40.Store(c + 4 * ldc);
            c41.Store(c + 4 * ldc + 4);
        }
        if (rows > 5)
        {
            c50.Store(c + 5 * ldc);
            c51.Store(c + 5 * ldc + 4);
        }
    }

    /// <summary>
    /// The one-row <see cref="Tile"/>: up to 8 accumulators of 4 lanes across the panel in one pass over k
    /// (a wider panel runs in parts of 32 columns).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowStrips<TVectors>(float* x, nint xStride, float* b, nint bStride, nint depth, float* c, float* initial)
        where TVectors : struct, ITileSize
    {
        if (TVectors.Value <= 2)
        {
            RowPart<TVectors>(x, xStride, b, bStride, depth, c, initial);
            return;
        }

        RowPart<TileSize2>(x, xStride, b, bStride, depth, c, initial);
        float* rest = initial == null ? null : initial + 32;
        if (TVectors.Value == 3) RowPart<TileSize1>(x, xStride, b + 32, bStride, depth, c + 32, rest);
        else RowPart<TileSize2>(x, xStride, b + 32, bStride, depth, c + 32, rest);
    }

    /// <summary>One row over <typeparamref name="TUnits"/> groups of 16 columns (4 vectors each) in one pass over k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowPart<TUnits>(float* x, nint xStride, float* b, nint bStride, nint depth, float* c, float* initial)
        where TUnits : struct, ITileSize
    {
        int vectors = TUnits.Value * 4;
        Vector128<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        if (initial != null)
        {
            c0 = Vector128.Load(initial + 0);
            if (vectors > 1) c1 = Vector128.Load(initial + 4);
            if (vectors > 2) c2 = Vector128.Load(initial + 8);
            if (vectors > 3) c3 = Vector128.Load(initial + 12);
            if (vectors > 4) c4 = Vector128.Load(initial + 16);
            if (vectors > 5) c5 = Vector128.Load(initial + 20);
            if (vectors > 6) c6 = Vector128.Load(initial + 24);
            if (vectors > 7) c7 = Vector128.Load(initial + 28);
        }

        float* xk = x;
        float* bk = b;
        for (nint k = 0; k < depth; k++)
        {
            Vector128<float> xv = Vector128.Create(*xk);
            c0 = Vector128.FusedMultiplyAdd(xv, Vector128.Load(bk + 0), c0);
            if (vectors > 1) c1 = Vector128.FusedMultiplyAdd(xv, Vector128.Load(bk + 4), c1);
            if (vectors > 2) c2 = Vector128.FusedMultiplyAdd(xv, Vector128.Load(bk + 8), c2);
            if (vectors > 3) c3 = Vector128.FusedMultiplyAdd(xv, Vector128.Load(bk + 12), c3);
            if (vectors > 4) c4 = Vector128.FusedMultiplyAdd(xv, Vector128.Load(bk + 16), c4);
            if (vectors > 5) c5 = Vector128.FusedMultiplyAdd(xv, Vector128.Load(bk + 20), c5);
            if (vectors > 6) c6 = Vector128.FusedMultiplyAdd(xv, Vector128.Load(bk + 24), c6);
            if (vectors > 7) c7 = Vector128.FusedMultiplyAdd(xv, Vector128.Load(bk + 28), c7);
            xk += xStride;
            bk += bStride;
        }

        c0.Store(c + 0);
        if (vectors > 1) c1.Store(c + 4);
        if (vectors > 2) c2.Store(c + 8);
        if (vectors > 3) c3.Store(c + 12);
        if (vectors > 4) c4.Store(c + 16);
        if (vectors > 5) c5.Store(c + 20);
        if (vectors > 6) c6.Store(c + 24);
        if (vectors > 7) c7.Store(c + 28);
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
            for (int j = 0; j < columns; j += 4)
            {
                TEpilogue.Apply(Vector128.Load(row + j), auxRow + j).Store(row + j);
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
