using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Fast.Kernels;

/// <summary>
/// One recurrent step of a small layer, fused, for one row at a time on the AVX-512 path: h' = tanh(b + z·W) over a
/// single panel of at most 64 columns, and, when asked, y = c + h'·U over a single panel of at most 64 columns — the
/// accumulators, the tanh and h' itself stay in registers, with no driver between the two products and no argument
/// check. The streaming step and the forward pass of a model with h ≤ 64 and o ≤ 64 run it; every other shape and path
/// runs the same products through <see cref="GemmDriver"/>.
/// </summary>
/// <remarks>
/// The chains are the driver's: h'_j starts from b_j and adds z_k·W_kj for k = 0 … K − 1 in increasing order (one
/// fused multiply-add each), then <see cref="TanhOperator"/>; y_j starts from c_j and adds h'_k·U_kj for k = 0 … h − 1.
/// So the bits are those of the two products on every path. b and c are read as whole 16-float vectors (zero-padded
/// rows); W's and U's rows are <c>wStride</c> and <c>uStride</c> floats apart, and the lanes a vector reads past a row's
/// last column come from the next row or the buffer's slack and are never stored; h' and y are written exactly h and o
/// floats wide.
/// </remarks>
internal static unsafe class SmallRecurrence
{
    /// <summary>Whether <see cref="Step"/> runs on <paramref name="path"/> for a layer of h and o columns.</summary>
    public static bool Supports(InstructionSet path, int h, int o) => path == InstructionSet.Avx512 && h <= 64 && o <= 64;

    /// <summary>
    /// For each of <paramref name="rows"/> rows r: h'_r = tanh(b + z_r·W) (z_r = <paramref name="z"/> + r·zStride, K
    /// values), written to <paramref name="hidden"/> + r·hiddenStride; then, when <paramref name="output"/> is not null,
    /// y_r = c + h'_r·U written to <paramref name="output"/> + r·outputStride. Only for <see cref="Supports"/> shapes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Step(int rows, float* z, nint zStride, int depth, float* w, nint wStride, float* b, int h,
        float* hidden, nint hiddenStride, float* u, nint uStride, float* c, int o, float* output, nint outputStride)
    {
        switch (((h + 15) >> 4) * 4 + ((o + 15) >> 4) - 5)
        {
            case 0: Rows<TileSize1, TileSize1>(rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 1: Rows<TileSize1, TileSize2>(rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 2: Rows<TileSize1, TileSize3>(rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 3: Rows<TileSize1, TileSize4>(rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 4: Rows<TileSize2, TileSize1>(rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 5: Rows<TileSize2, TileSize2>(rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 6: Rows<TileSize2, TileSize3>(rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 7: Rows<TileSize2, TileSize4>(rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 8: Rows<TileSize3, TileSize1>(rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 9: Rows<TileSize3, TileSize2>(rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 10: Rows<TileSize3, TileSize3>(rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 11: Rows<TileSize3, TileSize4>(rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 12: Rows<TileSize4, TileSize1>(rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 13: Rows<TileSize4, TileSize2>(rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 14: Rows<TileSize4, TileSize3>(rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            default: Rows<TileSize4, TileSize4>(rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
        }
    }

    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows<THidden, TOutput>(int rows, float* z, nint zStride, int depth, float* w, nint wStride, float* b, int h,
        float* hidden, nint hiddenStride, float* u, nint uStride, float* c, int o, float* output, nint outputStride)
        where THidden : struct, ITileSize
        where TOutput : struct, ITileSize
    {
        int hv = THidden.Value, ov = TOutput.Value;
        // h' and y in whole vectors; their first h and o floats are copied out, so no row is written past its end.
        float* state = stackalloc float[64];
        float* result = stackalloc float[64];
        for (int r = 0; r < rows; r++)
        {
            float* zr = z + r * zStride;
            Vector512<float> a0 = Vector512.Load(b), a1 = default, a2 = default, a3 = default;
            if (hv > 1) a1 = Vector512.Load(b + 16);
            if (hv > 2) a2 = Vector512.Load(b + 32);
            if (hv > 3) a3 = Vector512.Load(b + 48);
            float* wk = w;
            for (int k = 0; k < depth; k++)
            {
                Vector512<float> x = Vector512.Create(zr[k]);
                a0 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(wk), a0);
                if (hv > 1) a1 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(wk + 16), a1);
                if (hv > 2) a2 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(wk + 32), a2);
                if (hv > 3) a3 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(wk + 48), a3);
                wk += wStride;
            }

            default(TanhOperator).Invoke(a0).Store(state);
            if (hv > 1) default(TanhOperator).Invoke(a1).Store(state + 16);
            if (hv > 2) default(TanhOperator).Invoke(a2).Store(state + 32);
            if (hv > 3) default(TanhOperator).Invoke(a3).Store(state + 48);
            GemmPacking.CopyShort(state, hidden + r * hiddenStride, h);
            if (output == null) continue;

            Vector512<float> y0 = Vector512.Load(c), y1 = default, y2 = default, y3 = default;
            if (ov > 1) y1 = Vector512.Load(c + 16);
            if (ov > 2) y2 = Vector512.Load(c + 32);
            if (ov > 3) y3 = Vector512.Load(c + 48);
            float* uk = u;
            for (int k = 0; k < h; k++)
            {
                Vector512<float> x = Vector512.Create(state[k]);
                y0 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(uk), y0);
                if (ov > 1) y1 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(uk + 16), y1);
                if (ov > 2) y2 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(uk + 32), y2);
                if (ov > 3) y3 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(uk + 48), y3);
                uk += uStride;
            }

            y0.Store(result);
            if (ov > 1) y1.Store(result + 16);
            if (ov > 2) y2.Store(result + 32);
            if (ov > 3) y3.Store(result + 48);
            GemmPacking.CopyShort(result, output + r * outputStride, o);
        }
    }
}
