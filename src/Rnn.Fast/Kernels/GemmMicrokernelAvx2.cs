using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Fast.Kernels;

/// <summary>
/// AVX2+FMA tiles for a machine with 16 vector registers: the 6×64 tile runs as four 6×16 strips, each with
/// 12 ymm accumulators, 2 loads of B and 1 broadcast (15 registers). Wider tiles such as 8×24 spill.
/// </summary>
internal readonly unsafe struct GemmMicrokernelAvx2 : IGemmMicrokernel
{
    /// <summary>
    /// 256: each of the four strips re-reads the 6×256 A micro-panel, which then stays in L1; a deeper block would
    /// push it out to L2 between strips.
    /// </summary>
    public static int DepthBlock => 256;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile(float* a, nint rowStride, nint depthStride, float* b, nint depth, float* c, nint ldc, float* initial, nint initialStride)
    {
        nint o1 = rowStride, o2 = 2 * rowStride, o3 = 3 * rowStride, o4 = 4 * rowStride, o5 = 5 * rowStride;
        // 4 strips of 16 columns: 6×2 accumulators + 2 loads of B + 1 broadcast fit the register file.
        for (int s = 0; s < 4; s++)
        {
            float* bs = b + s * 16;
            float* cs = c + s * 16;
            float* starts = initial + s * 16; // read only when initial is not null
            Vector256<float> c00 = initial != null ? Vector256.Load(starts + 0 * initialStride + 0) : default;
            Vector256<float> c01 = initial != null ? Vector256.Load(starts + 0 * initialStride + 8) : default;
            Vector256<float> c10 = initial != null ? Vector256.Load(starts + 1 * initialStride + 0) : default;
            Vector256<float> c11 = initial != null ? Vector256.Load(starts + 1 * initialStride + 8) : default;
            Vector256<float> c20 = initial != null ? Vector256.Load(starts + 2 * initialStride + 0) : default;
            Vector256<float> c21 = initial != null ? Vector256.Load(starts + 2 * initialStride + 8) : default;
            Vector256<float> c30 = initial != null ? Vector256.Load(starts + 3 * initialStride + 0) : default;
            Vector256<float> c31 = initial != null ? Vector256.Load(starts + 3 * initialStride + 8) : default;
            Vector256<float> c40 = initial != null ? Vector256.Load(starts + 4 * initialStride + 0) : default;
            Vector256<float> c41 = initial != null ? Vector256.Load(starts + 4 * initialStride + 8) : default;
            Vector256<float> c50 = initial != null ? Vector256.Load(starts + 5 * initialStride + 0) : default;
            Vector256<float> c51 = initial != null ? Vector256.Load(starts + 5 * initialStride + 8) : default;
            float* ak = a;
            float* bk = bs;
            for (nint k = 0; k < depth; k++)
            {
                Vector256<float> b0 = Vector256.Load(bk + 0);
                Vector256<float> b1 = Vector256.Load(bk + 8);
                Vector256<float> a0 = Vector256.Create(ak[0]);
                c00 = Fma.MultiplyAdd(a0, b0, c00);
                c01 = Fma.MultiplyAdd(a0, b1, c01);
                Vector256<float> a1 = Vector256.Create(ak[o1]);
                c10 = Fma.MultiplyAdd(a1, b0, c10);
                c11 = Fma.MultiplyAdd(a1, b1, c11);
                Vector256<float> a2 = Vector256.Create(ak[o2]);
                c20 = Fma.MultiplyAdd(a2, b0, c20);
                c21 = Fma.MultiplyAdd(a2, b1, c21);
                Vector256<float> a3 = Vector256.Create(ak[o3]);
                c30 = Fma.MultiplyAdd(a3, b0, c30);
                c31 = Fma.MultiplyAdd(a3, b1, c31);
                Vector256<float> a4 = Vector256.Create(ak[o4]);
                c40 = Fma.MultiplyAdd(a4, b0, c40);
                c41 = Fma.MultiplyAdd(a4, b1, c41);
                Vector256<float> a5 = Vector256.Create(ak[o5]);
                c50 = Fma.MultiplyAdd(a5, b0, c50);
                c51 = Fma.MultiplyAdd(a5, b1, c51);
                ak += depthStride;
                bk += PackedMatrix.PanelWidth;
            }
            c00.Store(cs + 0 * ldc + 0);
            c01.Store(cs + 0 * ldc + 8);
            c10.Store(cs + 1 * ldc + 0);
            c11.Store(cs + 1 * ldc + 8);
            c20.Store(cs + 2 * ldc + 0);
            c21.Store(cs + 2 * ldc + 8);
            c30.Store(cs + 3 * ldc + 0);
            c31.Store(cs + 3 * ldc + 8);
            c40.Store(cs + 4 * ldc + 0);
            c41.Store(cs + 4 * ldc + 8);
            c50.Store(cs + 5 * ldc + 0);
            c51.Store(cs + 5 * ldc + 8);
        }
    }

    /// <summary>
    /// Packs the panel, then runs <see cref="Tile"/> on it: the same panel and the same bits as the fused copy of the
    /// AVX-512 tile, which was measured on that path only.
    /// </summary>
    public static void TileCopyingPanel(float* a, nint rowStride, nint depthStride, float* source, nint sourceStride, float* b, nint depth,
        float* c, nint ldc, float* initial, nint initialStride)
    {
        GemmPacking.PackPanels(source, sourceStride, 1, (int)depth, PackedMatrix.PanelWidth, b);
        Tile(a, rowStride, depthStride, b, depth, c, ldc, initial, initialStride);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile4(float* a, nint rowStride, nint depthStride, float* b, nint depth, float* c, nint ldc, float* initial, nint initialStride)
    {
        nint o1 = rowStride, o2 = 2 * rowStride, o3 = 3 * rowStride;
        // 4 strips of 16 columns: 4×2 accumulators + 2 loads of B + 1 broadcast fit the register file.
        for (int s = 0; s < 4; s++)
        {
            float* bs = b + s * 16;
            float* cs = c + s * 16;
            float* starts = initial + s * 16; // read only when initial is not null
            Vector256<float> c00 = initial != null ? Vector256.Load(starts + 0 * initialStride + 0) : default;
            Vector256<float> c01 = initial != null ? Vector256.Load(starts + 0 * initialStride + 8) : default;
            Vector256<float> c10 = initial != null ? Vector256.Load(starts + 1 * initialStride + 0) : default;
            Vector256<float> c11 = initial != null ? Vector256.Load(starts + 1 * initialStride + 8) : default;
            Vector256<float> c20 = initial != null ? Vector256.Load(starts + 2 * initialStride + 0) : default;
            Vector256<float> c21 = initial != null ? Vector256.Load(starts + 2 * initialStride + 8) : default;
            Vector256<float> c30 = initial != null ? Vector256.Load(starts + 3 * initialStride + 0) : default;
            Vector256<float> c31 = initial != null ? Vector256.Load(starts + 3 * initialStride + 8) : default;
            float* ak = a;
            float* bk = bs;
            for (nint k = 0; k < depth; k++)
            {
                Vector256<float> b0 = Vector256.Load(bk + 0);
                Vector256<float> b1 = Vector256.Load(bk + 8);
                Vector256<float> a0 = Vector256.Create(ak[0]);
                c00 = Fma.MultiplyAdd(a0, b0, c00);
                c01 = Fma.MultiplyAdd(a0, b1, c01);
                Vector256<float> a1 = Vector256.Create(ak[o1]);
                c10 = Fma.MultiplyAdd(a1, b0, c10);
                c11 = Fma.MultiplyAdd(a1, b1, c11);
                Vector256<float> a2 = Vector256.Create(ak[o2]);
                c20 = Fma.MultiplyAdd(a2, b0, c20);
                c21 = Fma.MultiplyAdd(a2, b1, c21);
                Vector256<float> a3 = Vector256.Create(ak[o3]);
                c30 = Fma.MultiplyAdd(a3, b0, c30);
                c31 = Fma.MultiplyAdd(a3, b1, c31);
                ak += depthStride;
                bk += PackedMatrix.PanelWidth;
            }
            c00.Store(cs + 0 * ldc + 0);
            c01.Store(cs + 0 * ldc + 8);
            c10.Store(cs + 1 * ldc + 0);
            c11.Store(cs + 1 * ldc + 8);
            c20.Store(cs + 2 * ldc + 0);
            c21.Store(cs + 2 * ldc + 8);
            c30.Store(cs + 3 * ldc + 0);
            c31.Store(cs + 3 * ldc + 8);
        }
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row(float* x, nint xStride, float* b, nint depth, float* c, bool loadC)
    {
        float* bs = b;
        float* cs = c;
        Vector256<float> c0 = loadC ? Vector256.Load(cs + 0) : default;
        Vector256<float> c1 = loadC ? Vector256.Load(cs + 8) : default;
        Vector256<float> c2 = loadC ? Vector256.Load(cs + 16) : default;
        Vector256<float> c3 = loadC ? Vector256.Load(cs + 24) : default;
        Vector256<float> c4 = loadC ? Vector256.Load(cs + 32) : default;
        Vector256<float> c5 = loadC ? Vector256.Load(cs + 40) : default;
        Vector256<float> c6 = loadC ? Vector256.Load(cs + 48) : default;
        Vector256<float> c7 = loadC ? Vector256.Load(cs + 56) : default;
        float* xk = x;
        float* bk = bs;
        for (nint k = 0; k < depth; k++)
        {
            Vector256<float> xv = Vector256.Create(*xk);
            c0 = Fma.MultiplyAdd(xv, Vector256.Load(bk + 0), c0);
            c1 = Fma.MultiplyAdd(xv, Vector256.Load(bk + 8), c1);
            c2 = Fma.MultiplyAdd(xv, Vector256.Load(bk + 16), c2);
            c3 = Fma.MultiplyAdd(xv, Vector256.Load(bk + 24), c3);
            c4 = Fma.MultiplyAdd(xv, Vector256.Load(bk + 32), c4);
            c5 = Fma.MultiplyAdd(xv, Vector256.Load(bk + 40), c5);
            c6 = Fma.MultiplyAdd(xv, Vector256.Load(bk + 48), c6);
            c7 = Fma.MultiplyAdd(xv, Vector256.Load(bk + 56), c7);
            xk += xStride;
            bk += PackedMatrix.PanelWidth;
        }
        c0.Store(cs + 0);
        c1.Store(cs + 8);
        c2.Store(cs + 16);
        c3.Store(cs + 24);
        c4.Store(cs + 32);
        c5.Store(cs + 40);
        c6.Store(cs + 48);
        c7.Store(cs + 56);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RowHalf(float* x, nint xStride, float* b, nint depth, float* c, bool loadC)
    {
        Vector256<float> c0 = loadC ? Vector256.Load(c + 0) : default;
        Vector256<float> c1 = loadC ? Vector256.Load(c + 8) : default;
        Vector256<float> c2 = loadC ? Vector256.Load(c + 16) : default;
        Vector256<float> c3 = loadC ? Vector256.Load(c + 24) : default;
        float* xk = x;
        float* bk = b;
        for (nint k = 0; k < depth; k++)
        {
            Vector256<float> xv = Vector256.Create(*xk);
            c0 = Fma.MultiplyAdd(xv, Vector256.Load(bk + 0), c0);
            c1 = Fma.MultiplyAdd(xv, Vector256.Load(bk + 8), c1);
            c2 = Fma.MultiplyAdd(xv, Vector256.Load(bk + 16), c2);
            c3 = Fma.MultiplyAdd(xv, Vector256.Load(bk + 24), c3);
            xk += xStride;
            bk += PackedMatrix.PanelWidth;
        }
        c0.Store(c + 0);
        c1.Store(c + 8);
        c2.Store(c + 16);
        c3.Store(c + 24);
    }
}
