using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Rnn.Fast.Kernels;

/// <summary>
/// The blocked GEMM loop: C (m×n) = C or 0, then += A·B over k in increasing order, where A's element (i, k) is at
/// a[i·rowStride + k·depthStride] (so one driver serves A and Aᵀ) and B is a <see cref="PackedMatrix"/>-layout pack.
/// </summary>
/// <remarks>
/// Loop order (after Goto and van de Geijn): depth blocks of <see cref="DepthBlock"/> in increasing k; row blocks of
/// <see cref="RowBlock"/> rows of A packed into 6-row micro-panels (L2-resident); then every 64-column panel of B
/// against every micro-panel. A C tile is stored after each depth block and reloaded for the next, which keeps each
/// element's chain of FMAs in increasing k: a float stored and reloaded is exact, so blocking never changes a bit.
/// Edge tiles (fewer than 6 rows or 64 columns) run the same register tile on a zero-padded copy in a stack buffer.
/// </remarks>
internal static unsafe class GemmDriver
{
    /// <summary>Rows per register tile on every vector path.</summary>
    internal const int TileRows = 6;

    /// <summary>Depth per block: a 256×64 B panel (64 KiB) and a 6×256 A micro-panel (6 KiB) stay in L2 and L1.</summary>
    internal const int DepthBlock = 256;

    /// <summary>Rows of A per packed block: 120×256 floats = 120 KiB, well inside a 1 MiB L2 beside the B panel.</summary>
    internal const int RowBlock = 120;

    private const int Width = PackedMatrix.PanelWidth;

    /// <summary>Per-thread buffer for packed blocks of A: allocated once per thread, pinned, never grown.</summary>
    [ThreadStatic]
    private static float[]? s_packedRows;

    internal static void Run(InstructionSet path, float* a, nint rowStride, nint depthStride, float* packedB, nint panelStride,
        float* c, nint ldc, int m, int n, int depth, bool accumulate)
    {
        switch (path)
        {
            case InstructionSet.Avx512:
                Run<GemmMicrokernelAvx512>(a, rowStride, depthStride, packedB, panelStride, c, ldc, m, n, depth, accumulate);
                break;
            case InstructionSet.Avx2:
                Run<GemmMicrokernelAvx2>(a, rowStride, depthStride, packedB, panelStride, c, ldc, m, n, depth, accumulate);
                break;
            case InstructionSet.Portable:
                Run<GemmMicrokernelPortable>(a, rowStride, depthStride, packedB, panelStride, c, ldc, m, n, depth, accumulate);
                break;
            default:
                RunScalar(a, rowStride, depthStride, packedB, panelStride, c, ldc, m, n, depth, accumulate);
                break;
        }
    }

    private static void Run<TKernel>(float* a, nint rowStride, nint depthStride, float* packedB, nint panelStride,
        float* c, nint ldc, int m, int n, int depth, bool accumulate)
        where TKernel : struct, IGemmMicrokernel
    {
        float* edge = stackalloc float[TileRows * Width];
        if (m == 1)
        {
            // Matrix-vector: no packing of A, one row kernel per panel over the whole depth.
            for (int j0 = 0; j0 < n; j0 += Width)
            {
                float* panel = packedB + (j0 / Width) * panelStride;
                int columns = Math.Min(Width, n - j0);
                if (columns == Width)
                {
                    TKernel.Row(a, depthStride, panel, depth, c + j0, accumulate);
                }
                else
                {
                    if (accumulate) CopyTile(c + j0, ldc, edge, Width, 1, columns);
                    TKernel.Row(a, depthStride, panel, depth, edge, accumulate);
                    CopyTile(edge, Width, c + j0, ldc, 1, columns);
                }
            }

            return;
        }

        float* packedA = PackedRowBuffer();
        for (int k0 = 0; k0 < depth; k0 += DepthBlock)
        {
            int kc = Math.Min(DepthBlock, depth - k0);
            bool loadC = accumulate || k0 > 0;
            for (int i0 = 0; i0 < m; i0 += RowBlock)
            {
                int mc = Math.Min(RowBlock, m - i0);
                GemmPacking.PackRows(a, rowStride, depthStride, i0, mc, k0, kc, TileRows, packedA);
                for (int j0 = 0; j0 < n; j0 += Width)
                {
                    float* panel = packedB + (j0 / Width) * panelStride + (nint)k0 * Width;
                    int columns = Math.Min(Width, n - j0);
                    for (int r0 = 0; r0 < mc; r0 += TileRows)
                    {
                        int rows = Math.Min(TileRows, mc - r0);
                        float* microPanel = packedA + (nint)r0 * kc;
                        float* tile = c + (i0 + r0) * ldc + j0;
                        if (rows == TileRows && columns == Width)
                        {
                            TKernel.Tile(microPanel, panel, kc, tile, ldc, loadC);
                        }
                        else
                        {
                            // Lanes outside the valid block hold stale values; each lane is its own chain and
                            // those lanes are never stored, so they cannot affect a result.
                            if (loadC) CopyTile(tile, ldc, edge, Width, rows, columns);
                            TKernel.Tile(microPanel, panel, kc, edge, Width, loadC);
                            CopyTile(edge, Width, tile, ldc, rows, columns);
                        }
                    }
                }
            }
        }
    }

    /// <summary>The scalar path: the same chains, one element at a time, with <see cref="MathF.FusedMultiplyAdd"/>.</summary>
    private static void RunScalar(float* a, nint rowStride, nint depthStride, float* packedB, nint panelStride,
        float* c, nint ldc, int m, int n, int depth, bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            float* aRow = a + i * rowStride;
            for (int j = 0; j < n; j++)
            {
                float* bColumn = packedB + (j / Width) * panelStride + (j % Width);
                float sum = accumulate ? c[i * ldc + j] : 0f;
                for (int k = 0; k < depth; k++)
                {
                    sum = MathF.FusedMultiplyAdd(aRow[k * depthStride], bColumn[(nint)k * Width], sum);
                }

                c[i * ldc + j] = sum;
            }
        }
    }

    /// <summary>Copies a rows×columns block between a tile of C and the edge buffer.</summary>
    private static void CopyTile(float* from, nint fromStride, float* to, nint toStride, int rows, int columns)
    {
        for (int r = 0; r < rows; r++)
        {
            new ReadOnlySpan<float>(from + r * fromStride, columns).CopyTo(new Span<float>(to + r * toStride, columns));
        }
    }

    private static float* PackedRowBuffer()
    {
        // RowBlock rows rounded up to whole micro-panels, times DepthBlock, plus room for 64-byte alignment.
        const int length = (RowBlock + TileRows - 1) / TileRows * TileRows * DepthBlock + 16;
        s_packedRows ??= GC.AllocateUninitializedArray<float>(length, pinned: true);
        float* p = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(s_packedRows));
        return (float*)(((nint)p + 63) & ~(nint)63);
    }
}
