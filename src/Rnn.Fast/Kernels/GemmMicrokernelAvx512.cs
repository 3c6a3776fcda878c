using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Fast.Kernels;

/// <summary>
/// AVX-512F tiles of 1 … 6 rows × 16, 32, 48 or 64 columns: at most 24 zmm accumulators, plus up to 4 loads of B and
/// 1 broadcast of A: 29 of the 32 registers, so nothing spills. Per k, the 6×64 tile does 24 FMAs against 4 vector
/// loads and 6 broadcasts.
/// </summary>
internal readonly unsafe struct GemmMicrokernelAvx512 : IGemmMicrokernel
{
    /// <summary>
    /// 1024: the whole tile is one pass over k, so the A micro-panel is read once, and a 1024×64 B panel (256 KiB)
    /// beside a 120×1024 A row block (480 KiB) fits a 1 MiB L2, and a product that sweeps a large C once per block
    /// (the weight gradient) sweeps it a quarter as often as with 256.
    /// </summary>
    public static int DepthBlock => 1024;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile<TRows, TVectors, TEpilogue>(float* a, nint rowStride, nint depthStride, float* b, nint bStride, nint depth,
        float* c, nint ldc, float* initial, nint initialStride, float* aux, nint auxStride)
        where TRows : struct, ITileSize
        where TVectors : struct, ITileSize
        where TEpilogue : struct, IGemmEpilogue
    {
        // Constants after specialization: every test on rows or vectors below is folded, and the accumulators,
        // loads and broadcasts of absent rows and columns are removed as dead code.
        int rows = TRows.Value, vectors = TVectors.Value;
        nint o1 = rowStride, o2 = 2 * rowStride, o3 = 3 * rowStride, o4 = 4 * rowStride, o5 = 5 * rowStride;
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;
        if (initial != null)
        {
            float* start0 = initial + 0 * initialStride;
            c00 = Vector512.Load(start0 + 0);
            if (vectors > 1) c01 = Vector512.Load(start0 + 16);
            if (vectors > 2) c02 = Vector512.Load(start0 + 32);
            if (vectors > 3) c03 = Vector512.Load(start0 + 48);
            if (rows > 1)
            {
                float* start1 = initial + 1 * initialStride;
                c10 = Vector512.Load(start1 + 0);
                if (vectors > 1) c11 = Vector512.Load(start1 + 16);
                if (vectors > 2) c12 = Vector512.Load(start1 + 32);
                if (vectors > 3) c13 = Vector512.Load(start1 + 48);
            }
            if (rows > 2)
            {
                float* start2 = initial + 2 * initialStride;
                c20 = Vector512.Load(start2 + 0);
                if (vectors > 1) c21 = Vector512.Load(start2 + 16);
                if (vectors > 2) c22 = Vector512.Load(start2 + 32);
                if (vectors > 3) c23 = Vector512.Load(start2 + 48);
            }
            if (rows > 3)
            {
                float* start3 = initial + 3 * initialStride;
                c30 = Vector512.Load(start3 + 0);
                if (vectors > 1) c31 = Vector512.Load(start3 + 16);
                if (vectors > 2) c32 = Vector512.Load(start3 + 32);
                if (vectors > 3) c33 = Vector512.Load(start3 + 48);
            }
            if (rows > 4)
            {
                float* start4 = initial + 4 * initialStride;
                c40 = Vector512.Load(start4 + 0);
                if (vectors > 1) c41 = Vector512.Load(start4 + 16);
                if (vectors > 2) c42 = Vector512.Load(start4 + 32);
                if (vectors > 3) c43 = Vector512.Load(start4 + 48);
            }
            if (rows > 5)
            {
                float* start5 = initial + 5 * initialStride;
                c50 = Vector512.Load(start5 + 0);
                if (vectors > 1) c51 = Vector512.Load(start5 + 16);
                if (vectors > 2) c52 = Vector512.Load(start5 + 32);
                if (vectors > 3) c53 = Vector512.Load(start5 + 48);
            }
        }

        float* ak = a;
        float* bk = b;
        for (nint k = 0; k < depth; k++)
        {
            Vector512<float> b0 = Vector512.Load(bk);
            Vector512<float> b1 = vectors > 1 ? Vector512.Load(bk + 16) : default;
            Vector512<float> b2 = vectors > 2 ? Vector512.Load(bk + 32) : default;
            Vector512<float> b3 = vectors > 3 ? Vector512.Load(bk + 48) : default;
            Vector512<float> a0 = Vector512.Create(ak[0]);
            c00 = Avx512F.FusedMultiplyAdd(a0, b0, c00);
            if (vectors > 1) c01 = Avx512F.FusedMultiplyAdd(a0, b1, c01);
            if (vectors > 2) c02 = Avx512F.FusedMultiplyAdd(a0, b2, c02);
            if (vectors > 3) c03 = Avx512F.FusedMultiplyAdd(a0, b3, c03);
            if (rows > 1)
            {
                Vector512<float> a1 = Vector512.Create(ak[o1]);
                c10 = Avx512F.FusedMultiplyAdd(a1, b0, c10);
                if (vectors > 1) c11 = Avx512F.FusedMultiplyAdd(a1, b1, c11);
                if (vectors > 2) c12 = Avx512F.FusedMultiplyAdd(a1, b2, c12);
                if (vectors > 3) c13 = Avx512F.FusedMultiplyAdd(a1, b3, c13);
            }
            if (rows > 2)
            {
                Vector512<float> a2 = Vector512.Create(ak[o2]);
                c20 = Avx512F.FusedMultiplyAdd(a2, b0, c20);
                if (vectors > 1) c21 = Avx512F.FusedMultiplyAdd(a2, b1, c21);
                if (vectors > 2) c22 = Avx512F.FusedMultiplyAdd(a2, b2, c22);
                if (vectors > 3) c23 = Avx512F.FusedMultiplyAdd(a2, b3, c23);
            }
            if (rows > 3)
            {
                Vector512<float> a3 = Vector512.Create(ak[o3]);
                c30 = Avx512F.FusedMultiplyAdd(a3, b0, c30);
                if (vectors > 1) c31 = Avx512F.FusedMultiplyAdd(a3, b1, c31);
                if (vectors > 2) c32 = Avx512F.FusedMultiplyAdd(a3, b2, c32);
                if (vectors > 3) c33 = Avx512F.FusedMultiplyAdd(a3, b3, c33);
            }
            if (rows > 4)
            {
                Vector512<float> a4 = Vector512.Create(ak[o4]);
                c40 = Avx512F.FusedMultiplyAdd(a4, b0, c40);
                if (vectors > 1) c41 = Avx512F.FusedMultiplyAdd(a4, b1, c41);
                if (vectors > 2) c42 = Avx512F.FusedMultiplyAdd(a4, b2, c42);
                if (vectors > 3) c43 = Avx512F.FusedMultiplyAdd(a4, b3, c43);
            }
            if (rows > 5)
            {
                Vector512<float> a5 = Vector512.Create(ak[o5]);
                c50 = Avx512F.FusedMultiplyAdd(a5, b0, c50);
                if (vectors > 1) c51 = Avx512F.FusedMultiplyAdd(a5, b1, c51);
                if (vectors > 2) c52 = Avx512F.FusedMultiplyAdd(a5, b2, c52);
                if (vectors > 3) c53 = Avx512F.FusedMultiplyAdd(a5, b3, c53);
            }
            ak += depthStride;
            bk += bStride;
        }

        float* row0 = c + 0 * ldc;
        c00.Store(row0 + 0);
        if (vectors > 1) c01.Store(row0 + 16);
        if (vectors > 2) c02.Store(row0 + 32);
        if (vectors > 3) c03.Store(row0 + 48);
        if (rows > 1)
        {
            float* row1 = c + 1 * ldc;
            c10.Store(row1 + 0);
            if (vectors > 1) c11.Store(row1 + 16);
            if (vectors > 2) c12.Store(row1 + 32);
            if (vectors > 3) c13.Store(row1 + 48);
        }
        if (rows > 2)
        {
            float* row2 = c + 2 * ldc;
            c20.Store(row2 + 0);
            if (vectors > 1) c21.Store(row2 + 16);
            if (vectors > 2) c22.Store(row2 + 32);
            if (vectors > 3) c23.Store(row2 + 48);
        }
        if (rows > 3)
        {
            float* row3 = c + 3 * ldc;
            c30.Store(row3 + 0);
            if (vectors > 1) c31.Store(row3 + 16);
            if (vectors > 2) c32.Store(row3 + 32);
            if (vectors > 3) c33.Store(row3 + 48);
        }
        if (rows > 4)
        {
            float* row4 = c + 4 * ldc;
            c40.Store(row4 + 0);
            if (vectors > 1) c41.Store(row4 + 16);
            if (vectors > 2) c42.Store(row4 + 32);
            if (vectors > 3) c43.Store(row4 + 48);
        }
        if (rows > 5)
        {
            float* row5 = c + 5 * ldc;
            c50.Store(row5 + 0);
            if (vectors > 1) c51.Store(row5 + 16);
            if (vectors > 2) c52.Store(row5 + 32);
            if (vectors > 3) c53.Store(row5 + 48);
        }

        if (!TEpilogue.IsIdentity) ApplyEpilogue<TEpilogue>(rows, 16 * vectors, c, ldc, aux, auxStride);
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
            for (int j = 0; j < columns; j += 16)
            {
                TEpilogue.Apply(Vector512.Load(row + j), auxRow + j).Store(row + j);
            }
        }
    }

    /// <summary>
    /// <see cref="Tile"/> whose B loads come from the unpacked rows and are also stored into the panel: the pack rides
    /// on the loads of a tile that does 24 FMAs per 4 loads, instead of being a pass of its own over B before the
    /// product: this is for a plain B whose rows are read in place, such as the weight gradient's dA, which changes
    /// every call.
    /// </summary>
    public static void TileCopyingPanel(float* a, nint rowStride, nint depthStride, float* source, nint sourceStride, float* b, nint depth,
        float* c, nint ldc, float* initial, nint initialStride) =>
        SixRowsCopyingPanel(a, rowStride, depthStride, source, sourceStride, b, depth, c, ldc, initial, initialStride);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SixRowsCopyingPanel(float* a, nint rowStride, nint depthStride, float* source, nint sourceStride, float* b, nint depth,
        float* c, nint ldc, float* initial, nint initialStride)
    {
        nint o1 = rowStride, o2 = 2 * rowStride, o3 = 3 * rowStride, o4 = 4 * rowStride, o5 = 5 * rowStride;
        float* bs = b;
        float* cs = c;
        Vector512<float> c00 = initial != null ? Vector512.Load(initial + 0 * initialStride + 0) : default;
        Vector512<float> c01 = initial != null ? Vector512.Load(initial + 0 * initialStride + 16) : default;
        Vector512<float> c02 = initial != null ? Vector512.Load(initial + 0 * initialStride + 32) : default;
        Vector512<float> c03 = initial != null ? Vector512.Load(initial + 0 * initialStride + 48) : default;
        Vector512<float> c10 = initial != null ? Vector512.Load(initial + 1 * initialStride + 0) : default;
        Vector512<float> c11 = initial != null ? Vector512.Load(initial + 1 * initialStride + 16) : default;
        Vector512<float> c12 = initial != null ? Vector512.Load(initial + 1 * initialStride + 32) : default;
        Vector512<float> c13 = initial != null ? Vector512.Load(initial + 1 * initialStride + 48) : default;
        Vector512<float> c20 = initial != null ? Vector512.Load(initial + 2 * initialStride + 0) : default;
        Vector512<float> c21 = initial != null ? Vector512.Load(initial + 2 * initialStride + 16) : default;
        Vector512<float> c22 = initial != null ? Vector512.Load(initial + 2 * initialStride + 32) : default;
        Vector512<float> c23 = initial != null ? Vector512.Load(initial + 2 * initialStride + 48) : default;
        Vector512<float> c30 = initial != null ? Vector512.Load(initial + 3 * initialStride + 0) : default;
        Vector512<float> c31 = initial != null ? Vector512.Load(initial + 3 * initialStride + 16) : default;
        Vector512<float> c32 = initial != null ? Vector512.Load(initial + 3 * initialStride + 32) : default;
        Vector512<float> c33 = initial != null ? Vector512.Load(initial + 3 * initialStride + 48) : default;
        Vector512<float> c40 = initial != null ? Vector512.Load(initial + 4 * initialStride + 0) : default;
        Vector512<float> c41 = initial != null ? Vector512.Load(initial + 4 * initialStride + 16) : default;
        Vector512<float> c42 = initial != null ? Vector512.Load(initial + 4 * initialStride + 32) : default;
        Vector512<float> c43 = initial != null ? Vector512.Load(initial + 4 * initialStride + 48) : default;
        Vector512<float> c50 = initial != null ? Vector512.Load(initial + 5 * initialStride + 0) : default;
        Vector512<float> c51 = initial != null ? Vector512.Load(initial + 5 * initialStride + 16) : default;
        Vector512<float> c52 = initial != null ? Vector512.Load(initial + 5 * initialStride + 32) : default;
        Vector512<float> c53 = initial != null ? Vector512.Load(initial + 5 * initialStride + 48) : default;
        float* ak = a;
        float* bk = bs;
        float* sk = source;
        for (nint k = 0; k < depth; k++)
        {
            Vector512<float> b0 = Vector512.Load(sk + 0);
            Vector512<float> b1 = Vector512.Load(sk + 16);
            Vector512<float> b2 = Vector512.Load(sk + 32);
            Vector512<float> b3 = Vector512.Load(sk + 48);
            b0.Store(bk + 0);
            b1.Store(bk + 16);
            b2.Store(bk + 32);
            b3.Store(bk + 48);
            sk += sourceStride;

            Vector512<float> a0 = Vector512.Create(ak[0]);
            c00 = Avx512F.FusedMultiplyAdd(a0, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(a0, b1, c01);
            c02 = Avx512F.FusedMultiplyAdd(a0, b2, c02);
            c03 = Avx512F.FusedMultiplyAdd(a0, b3, c03);
            Vector512<float> a1 = Vector512.Create(ak[o1]);
            c10 = Avx512F.FusedMultiplyAdd(a1, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(a1, b1, c11);
            c12 = Avx512F.FusedMultiplyAdd(a1, b2, c12);
            c13 = Avx512F.FusedMultiplyAdd(a1, b3, c13);
            Vector512<float> a2 = Vector512.Create(ak[o2]);
            c20 = Avx512F.FusedMultiplyAdd(a2, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(a2, b1, c21);
            c22 = Avx512F.FusedMultiplyAdd(a2, b2, c22);
            c23 = Avx512F.FusedMultiplyAdd(a2, b3, c23);
            Vector512<float> a3 = Vector512.Create(ak[o3]);
            c30 = Avx512F.FusedMultiplyAdd(a3, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(a3, b1, c31);
            c32 = Avx512F.FusedMultiplyAdd(a3, b2, c32);
            c33 = Avx512F.FusedMultiplyAdd(a3, b3, c33);
            Vector512<float> a4 = Vector512.Create(ak[o4]);
            c40 = Avx512F.FusedMultiplyAdd(a4, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(a4, b1, c41);
            c42 = Avx512F.FusedMultiplyAdd(a4, b2, c42);
            c43 = Avx512F.FusedMultiplyAdd(a4, b3, c43);
            Vector512<float> a5 = Vector512.Create(ak[o5]);
            c50 = Avx512F.FusedMultiplyAdd(a5, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(a5, b1, c51);
            c52 = Avx512F.FusedMultiplyAdd(a5, b2, c52);
            c53 = Avx512F.FusedMultiplyAdd(a5, b3, c53);
            ak += depthStride;
            bk += PackedMatrix.PanelWidth;
        }
        c00.Store(cs + 0 * ldc + 0);
        c01.Store(cs + 0 * ldc + 16);
        c02.Store(cs + 0 * ldc + 32);
        c03.Store(cs + 0 * ldc + 48);
        c10.Store(cs + 1 * ldc + 0);
        c11.Store(cs + 1 * ldc + 16);
        c12.Store(cs + 1 * ldc + 32);
        c13.Store(cs + 1 * ldc + 48);
        c20.Store(cs + 2 * ldc + 0);
        c21.Store(cs + 2 * ldc + 16);
        c22.Store(cs + 2 * ldc + 32);
        c23.Store(cs + 2 * ldc + 48);
        c30.Store(cs + 3 * ldc + 0);
        c31.Store(cs + 3 * ldc + 16);
        c32.Store(cs + 3 * ldc + 32);
        c33.Store(cs + 3 * ldc + 48);
        c40.Store(cs + 4 * ldc + 0);
        c41.Store(cs + 4 * ldc + 16);
        c42.Store(cs + 4 * ldc + 32);
        c43.Store(cs + 4 * ldc + 48);
        c50.Store(cs + 5 * ldc + 0);
        c51.Store(cs + 5 * ldc + 16);
        c52.Store(cs + 5 * ldc + 32);
        c53.Store(cs + 5 * ldc + 48);
    }

    /// <inheritdoc/>
    public static bool FusesRemainderRow => true;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RowWithRemainder<TVectors, TEpilogue>(float* x, nint xStride, float* panel, nint panelStride, float* remainder,
        nint remainderStride, nint depth, float* c, float* cRemainder, float* initial, float* initialRemainder, float* aux, float* auxRemainder)
        where TVectors : struct, ITileSize
        where TEpilogue : struct, IGemmEpilogue
    {
        int vectors = TVectors.Value;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, r0 = default, r1 = default, r2 = default, r3 = default;
        if (initial != null)
        {
            c0 = Vector512.Load(initial);
            c1 = Vector512.Load(initial + 16);
            c2 = Vector512.Load(initial + 32);
            c3 = Vector512.Load(initial + 48);
        }

        if (initialRemainder != null)
        {
            r0 = Vector512.Load(initialRemainder);
            if (vectors > 1) r1 = Vector512.Load(initialRemainder + 16);
            if (vectors > 2) r2 = Vector512.Load(initialRemainder + 32);
            if (vectors > 3) r3 = Vector512.Load(initialRemainder + 48);
        }

        float* xk = x, bk = panel, rk = remainder;
        for (nint k = 0; k < depth; k++)
        {
            Vector512<float> xv = Vector512.Create(*xk);
            c0 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(bk), c0);
            c1 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(bk + 16), c1);
            c2 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(bk + 32), c2);
            c3 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(bk + 48), c3);
            r0 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(rk), r0);
            if (vectors > 1) r1 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(rk + 16), r1);
            if (vectors > 2) r2 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(rk + 32), r2);
            if (vectors > 3) r3 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(rk + 48), r3);
            xk += xStride;
            bk += panelStride;
            rk += remainderStride;
        }

        c0.Store(c);
        c1.Store(c + 16);
        c2.Store(c + 32);
        c3.Store(c + 48);
        r0.Store(cRemainder);
        if (vectors > 1) r1.Store(cRemainder + 16);
        if (vectors > 2) r2.Store(cRemainder + 32);
        if (vectors > 3) r3.Store(cRemainder + 48);
        if (!TEpilogue.IsIdentity)
        {
            ApplyEpilogue<TEpilogue>(1, PackedMatrix.PanelWidth, c, 0, aux, 0);
            ApplyEpilogue<TEpilogue>(1, 16 * vectors, cRemainder, 0, auxRemainder, 0);
        }
    }
}
