using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Rnn.Fast.Kernels;

/// <summary>
/// Vector128 tiles for any CPU with 128-bit vectors and a hardware FMA (SSE+FMA on x64, AdvSimd on ARM64): the 6×64
/// tile runs as eight 6×8 strips of 12 accumulators, which fit the 16 registers of x64 and leave room on ARM64.
/// </summary>
internal readonly unsafe struct GemmMicrokernelPortable : IGemmMicrokernel
{
    /// <summary>256: like the AVX2 tile, the eight strips re-read the A micro-panel, which then stays in L1.</summary>
    public static int DepthBlock => 256;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile(float* a, nint rowStride, nint depthStride, float* b, nint depth, float* c, nint ldc, float* initial, nint initialStride)
    {
        nint o1 = rowStride, o2 = 2 * rowStride, o3 = 3 * rowStride, o4 = 4 * rowStride, o5 = 5 * rowStride;
        // 8 strips of 8 columns: 6×2 accumulators + 2 loads of B + 1 broadcast fit the register file.
        for (int s = 0; s < 8; s++)
        {
            float* bs = b + s * 8;
            float* cs = c + s * 8;
            float* starts = initial + s * 8; // read only when initial is not null
            Vector128<float> c00 = initial != null ? Vector128.Load(starts + 0 * initialStride + 0) : default;
            Vector128<float> c01 = initial != null ? Vector128.Load(starts + 0 * initialStride + 4) : default;
            Vector128<float> c10 = initial != null ? Vector128.Load(starts + 1 * initialStride + 0) : default;
            Vector128<float> c11 = initial != null ? Vector128.Load(starts + 1 * initialStride + 4) : default;
            Vector128<float> c20 = initial != null ? Vector128.Load(starts + 2 * initialStride + 0) : default;
            Vector128<float> c21 = initial != null ? Vector128.Load(starts + 2 * initialStride + 4) : default;
            Vector128<float> c30 = initial != null ? Vector128.Load(starts + 3 * initialStride + 0) : default;
            Vector128<float> c31 = initial != null ? Vector128.Load(starts + 3 * initialStride + 4) : default;
            Vector128<float> c40 = initial != null ? Vector128.Load(starts + 4 * initialStride + 0) : default;
            Vector128<float> c41 = initial != null ? Vector128.Load(starts + 4 * initialStride + 4) : default;
            Vector128<float> c50 = initial != null ? Vector128.Load(starts + 5 * initialStride + 0) : default;
            Vector128<float> c51 = initial != null ? Vector128.Load(starts + 5 * initialStride + 4) : default;
            float* ak = a;
            float* bk = bs;
            for (nint k = 0; k < depth; k++)
            {
                Vector128<float> b0 = Vector128.Load(bk + 0);
                Vector128<float> b1 = Vector128.Load(bk + 4);
                Vector128<float> a0 = Vector128.Create(ak[0]);
                c00 = Vector128.FusedMultiplyAdd(a0, b0, c00);
                c01 = Vector128.FusedMultiplyAdd(a0, b1, c01);
                Vector128<float> a1 = Vector128.Create(ak[o1]);
                c10 = Vector128.FusedMultiplyAdd(a1, b0, c10);
                c11 = Vector128.FusedMultiplyAdd(a1, b1, c11);
                Vector128<float> a2 = Vector128.Create(ak[o2]);
                c20 = Vector128.FusedMultiplyAdd(a2, b0, c20);
                c21 = Vector128.FusedMultiplyAdd(a2, b1, c21);
                Vector128<float> a3 = Vector128.Create(ak[o3]);
                c30 = Vector128.FusedMultiplyAdd(a3, b0, c30);
                c31 = Vector128.FusedMultiplyAdd(a3, b1, c31);
                Vector128<float> a4 = Vector128.Create(ak[o4]);
                c40 = Vector128.FusedMultiplyAdd(a4, b0, c40);
                c41 = Vector128.FusedMultiplyAdd(a4, b1, c41);
                Vector128<float> a5 = Vector128.Create(ak[o5]);
                c50 = Vector128.FusedMultiplyAdd(a5, b0, c50);
                c51 = Vector128.FusedMultiplyAdd(a5, b1, c51);
                ak += depthStride;
                bk += PackedMatrix.PanelWidth;
            }
            c00.Store(cs + 0 * ldc + 0);
            c01.Store(cs + 0 * ldc + 4);
            c10.Store(cs + 1 * ldc + 0);
            c11.Store(cs + 1 * ldc + 4);
            c20.Store(cs + 2 * ldc + 0);
            c21.Store(cs + 2 * ldc + 4);
            c30.Store(cs + 3 * ldc + 0);
            c31.Store(cs + 3 * ldc + 4);
            c40.Store(cs + 4 * ldc + 0);
            c41.Store(cs + 4 * ldc + 4);
            c50.Store(cs + 5 * ldc + 0);
            c51.Store(cs + 5 * ldc + 4);
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
        // 8 strips of 8 columns: 4×2 accumulators + 2 loads of B + 1 broadcast fit the register file.
        for (int s = 0; s < 8; s++)
        {
            float* bs = b + s * 8;
            float* cs = c + s * 8;
            float* starts = initial + s * 8; // read only when initial is not null
            Vector128<float> c00 = initial != null ? Vector128.Load(starts + 0 * initialStride + 0) : default;
            Vector128<float> c01 = initial != null ? Vector128.Load(starts + 0 * initialStride + 4) : default;
            Vector128<float> c10 = initial != null ? Vector128.Load(starts + 1 * initialStride + 0) : default;
            Vector128<float> c11 = initial != null ? Vector128.Load(starts + 1 * initialStride + 4) : default;
            Vector128<float> c20 = initial != null ? Vector128.Load(starts + 2 * initialStride + 0) : default;
            Vector128<float> c21 = initial != null ? Vector128.Load(starts + 2 * initialStride + 4) : default;
            Vector128<float> c30 = initial != null ? Vector128.Load(starts + 3 * initialStride + 0) : default;
            Vector128<float> c31 = initial != null ? Vector128.Load(starts + 3 * initialStride + 4) : default;
            float* ak = a;
            float* bk = bs;
            for (nint k = 0; k < depth; k++)
            {
                Vector128<float> b0 = Vector128.Load(bk + 0);
                Vector128<float> b1 = Vector128.Load(bk + 4);
                Vector128<float> a0 = Vector128.Create(ak[0]);
                c00 = Vector128.FusedMultiplyAdd(a0, b0, c00);
                c01 = Vector128.FusedMultiplyAdd(a0, b1, c01);
                Vector128<float> a1 = Vector128.Create(ak[o1]);
                c10 = Vector128.FusedMultiplyAdd(a1, b0, c10);
                c11 = Vector128.FusedMultiplyAdd(a1, b1, c11);
                Vector128<float> a2 = Vector128.Create(ak[o2]);
                c20 = Vector128.FusedMultiplyAdd(a2, b0, c20);
                c21 = Vector128.FusedMultiplyAdd(a2, b1, c21);
                Vector128<float> a3 = Vector128.Create(ak[o3]);
                c30 = Vector128.FusedMultiplyAdd(a3, b0, c30);
                c31 = Vector128.FusedMultiplyAdd(a3, b1, c31);
                ak += depthStride;
                bk += PackedMatrix.PanelWidth;
            }
            c00.Store(cs + 0 * ldc + 0);
            c01.Store(cs + 0 * ldc + 4);
            c10.Store(cs + 1 * ldc + 0);
            c11.Store(cs + 1 * ldc + 4);
            c20.Store(cs + 2 * ldc + 0);
            c21.Store(cs + 2 * ldc + 4);
            c30.Store(cs + 3 * ldc + 0);
            c31.Store(cs + 3 * ldc + 4);
        }
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row(float* x, nint xStride, float* b, nint depth, float* c, bool loadC)
    {
        RowHalf(x, xStride, b, depth, c, loadC);
        RowHalf(x, xStride, b + 32, depth, c + 32, loadC);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RowHalf(float* x, nint xStride, float* b, nint depth, float* c, bool loadC)
    {
        float* bs = b;
        float* cs = c;
        Vector128<float> c0 = loadC ? Vector128.Load(cs + 0) : default;
        Vector128<float> c1 = loadC ? Vector128.Load(cs + 4) : default;
        Vector128<float> c2 = loadC ? Vector128.Load(cs + 8) : default;
        Vector128<float> c3 = loadC ? Vector128.Load(cs + 12) : default;
        Vector128<float> c4 = loadC ? Vector128.Load(cs + 16) : default;
        Vector128<float> c5 = loadC ? Vector128.Load(cs + 20) : default;
        Vector128<float> c6 = loadC ? Vector128.Load(cs + 24) : default;
        Vector128<float> c7 = loadC ? Vector128.Load(cs + 28) : default;
        float* xk = x;
        float* bk = bs;
        for (nint k = 0; k < depth; k++)
        {
            Vector128<float> xv = Vector128.Create(*xk);
            c0 = Vector128.FusedMultiplyAdd(xv, Vector128.Load(bk + 0), c0);
            c1 = Vector128.FusedMultiplyAdd(xv, Vector128.Load(bk + 4), c1);
            c2 = Vector128.FusedMultiplyAdd(xv, Vector128.Load(bk + 8), c2);
            c3 = Vector128.FusedMultiplyAdd(xv, Vector128.Load(bk + 12), c3);
            c4 = Vector128.FusedMultiplyAdd(xv, Vector128.Load(bk + 16), c4);
            c5 = Vector128.FusedMultiplyAdd(xv, Vector128.Load(bk + 20), c5);
            c6 = Vector128.FusedMultiplyAdd(xv, Vector128.Load(bk + 24), c6);
            c7 = Vector128.FusedMultiplyAdd(xv, Vector128.Load(bk + 28), c7);
            xk += xStride;
            bk += PackedMatrix.PanelWidth;
        }
        c0.Store(cs + 0);
        c1.Store(cs + 4);
        c2.Store(cs + 8);
        c3.Store(cs + 12);
        c4.Store(cs + 16);
        c5.Store(cs + 20);
        c6.Store(cs + 24);
        c7.Store(cs + 28);
    }
}
