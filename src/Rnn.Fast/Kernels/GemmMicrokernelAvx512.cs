using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Fast.Kernels;

/// <summary>
/// AVX-512F tiles: 6 rows × 64 columns held in 24 zmm accumulators, plus 4 loads of B and 1 broadcast of A: 29 of
/// the 32 registers, so nothing spills. Per k: 24 FMAs against 4 vector loads and 6 broadcasts.
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
    public static void Tile(float* a, nint rowStride, nint depthStride, float* b, nint depth, float* c, nint ldc, float* initial, nint initialStride) =>
        SixRows<ReadPanel>(a, rowStride, depthStride, null, 0, b, depth, c, ldc, initial, initialStride);

    /// <summary>
    /// <see cref="Tile"/> whose B loads come from the unpacked rows and are also stored into the panel: the pack rides
    /// on the loads of a tile that does 24 FMAs per 4 loads, instead of being a pass of its own over B before the
    /// product: this is for a plain B whose rows are read in place, such as the weight gradient's dA, which changes
    /// every call.
    /// </summary>
    public static void TileCopyingPanel(float* a, nint rowStride, nint depthStride, float* source, nint sourceStride, float* b, nint depth,
        float* c, nint ldc, float* initial, nint initialStride) =>
        SixRows<CopySourceIntoPanel>(a, rowStride, depthStride, source, sourceStride, b, depth, c, ldc, initial, initialStride);

    /// <summary>Where the six-row tile gets B's rows: the JIT compiles one body per implementation, without a branch.</summary>
    private interface IPanelReads
    {
        /// <summary>True to load from the source rows and store into the panel; false to load from the panel.</summary>
        static abstract bool CopiesSource { get; }
    }

    private readonly struct ReadPanel : IPanelReads
    {
        public static bool CopiesSource => false;
    }

    private readonly struct CopySourceIntoPanel : IPanelReads
    {
        public static bool CopiesSource => true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SixRows<TReads>(float* a, nint rowStride, nint depthStride, float* source, nint sourceStride, float* b, nint depth,
        float* c, nint ldc, float* initial, nint initialStride)
        where TReads : struct, IPanelReads
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
            Vector512<float> b0, b1, b2, b3;
            if (TReads.CopiesSource)
            {
                b0 = Vector512.Load(sk + 0);
                b1 = Vector512.Load(sk + 16);
                b2 = Vector512.Load(sk + 32);
                b3 = Vector512.Load(sk + 48);
                b0.Store(bk + 0);
                b1.Store(bk + 16);
                b2.Store(bk + 32);
                b3.Store(bk + 48);
                sk += sourceStride;
            }
            else
            {
                b0 = Vector512.Load(bk + 0);
                b1 = Vector512.Load(bk + 16);
                b2 = Vector512.Load(bk + 32);
                b3 = Vector512.Load(bk + 48);
            }

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile4(float* a, nint rowStride, nint depthStride, float* b, nint depth, float* c, nint ldc, float* initial, nint initialStride)
    {
        nint o1 = rowStride, o2 = 2 * rowStride, o3 = 3 * rowStride;
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
        float* ak = a;
        float* bk = bs;
        for (nint k = 0; k < depth; k++)
        {
            Vector512<float> b0 = Vector512.Load(bk + 0);
            Vector512<float> b1 = Vector512.Load(bk + 16);
            Vector512<float> b2 = Vector512.Load(bk + 32);
            Vector512<float> b3 = Vector512.Load(bk + 48);
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
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row(float* x, nint xStride, float* b, nint depth, float* c, bool loadC)
    {
        float* bs = b;
        float* cs = c;
        Vector512<float> c0 = loadC ? Vector512.Load(cs + 0) : default;
        Vector512<float> c1 = loadC ? Vector512.Load(cs + 16) : default;
        Vector512<float> c2 = loadC ? Vector512.Load(cs + 32) : default;
        Vector512<float> c3 = loadC ? Vector512.Load(cs + 48) : default;
        float* xk = x;
        float* bk = bs;
        for (nint k = 0; k < depth; k++)
        {
            Vector512<float> xv = Vector512.Create(*xk);
            c0 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(bk + 0), c0);
            c1 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(bk + 16), c1);
            c2 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(bk + 32), c2);
            c3 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(bk + 48), c3);
            xk += xStride;
            bk += PackedMatrix.PanelWidth;
        }
        c0.Store(cs + 0);
        c1.Store(cs + 16);
        c2.Store(cs + 32);
        c3.Store(cs + 48);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RowHalf(float* x, nint xStride, float* b, nint depth, float* c, bool loadC)
    {
        Vector512<float> c0 = loadC ? Vector512.Load(c + 0) : default;
        Vector512<float> c1 = loadC ? Vector512.Load(c + 16) : default;
        float* xk = x;
        float* bk = b;
        for (nint k = 0; k < depth; k++)
        {
            Vector512<float> xv = Vector512.Create(*xk);
            c0 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(bk + 0), c0);
            c1 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(bk + 16), c1);
            xk += xStride;
            bk += PackedMatrix.PanelWidth;
        }
        c0.Store(c + 0);
        c1.Store(c + 16);
    }
}
