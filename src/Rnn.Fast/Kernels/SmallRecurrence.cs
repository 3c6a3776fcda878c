using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Fast.Kernels;

/// <summary>
/// The recurrent steps of a small layer, fused, one row at a time on the AVX-512 path: h' = tanh(b + z·W) over a single
/// panel of at most 64 columns, and, when asked, y = c + h'·U over a single panel of at most 64 columns; and the
/// recurrence of the backward pass over such a layer, dA_t = (dH_t + dA_{t+1}·Wᵀ) ⊙ (1 − H_t²). The accumulators and the
/// tanh stay in registers (for one row, h' too, from step to step and into the output) and the results are stored straight into their rows, with no driver between products or
/// steps and no argument check. The streaming step and the forward and backward passes of a model with h ≤ 64 (and,
/// for the output, o ≤ 64) run it; every other shape and path runs the same products through <see cref="GemmDriver"/>.
/// </summary>
/// <remarks>
/// The chains are the driver's: h'_j starts from b_j and adds z_k·W_kj for k = 0 … K − 1 in increasing order (one
/// fused multiply-add each), then <see cref="TanhOperator"/>; y_j starts from c_j and adds h'_k·U_kj for k = 0 … h − 1;
/// dA_t starts from dH_t (or +0) and adds dA_{t+1,k}·Wᵀ_kj for k = 0 … h − 1, then <see cref="TanhGradientOperator"/>.
/// So the bits are those of the products on every path. Bias rows and gradient rows are read as whole 16-float vectors
/// (zero-padded or padded rows); W's, U's and Wᵀ's rows are their strides apart, and the lanes a vector reads past a
/// row's last column come from the next row or the buffer's slack and are never stored; H_t is read with a mask. Every
/// result row is written exactly h (or o) floats wide: the last vector of a row that is not a multiple of 16 wide is
/// stored with a mask, so the columns beside it (the next row's input, in a stacked row) are never touched.
/// </remarks>
internal static unsafe class SmallRecurrence
{
    /// <summary>Whether <see cref="Steps"/> and <see cref="BackwardSteps"/> run on <paramref name="path"/> for a layer of h and o columns.</summary>
    public static bool Supports(InstructionSet path, int h, int o) => path == InstructionSet.Avx512 && h <= 64 && o <= 64;

    /// <summary>
    /// For each step s = 0 … <paramref name="steps"/> − 1 and each of <paramref name="rows"/> rows r: h'_r = tanh(b + z_r·W)
    /// (z_r = <paramref name="z"/> + s·stepStride + r·zStride, K values) written to <paramref name="hidden"/> + s·stepStride
    /// + r·hiddenStride; step s + 1 may read it as part of its z. Then, when <paramref name="output"/> is not null, for the
    /// last step's rows: y_r = c + h'_r·U written to <paramref name="output"/> + r·outputStride. Only for
    /// <see cref="Supports"/> shapes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Steps(int steps, nint stepStride, int rows, float* z, nint zStride, int depth, float* w, nint wStride, float* b, int h,
        float* hidden, nint hiddenStride, float* u, nint uStride, float* c, int o, float* output, nint outputStride)
    {
        switch (TilesFor(h, o))
        {
            case 0: Rows<TileSize1, TileSize1>(steps, stepStride, rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 1: Rows<TileSize1, TileSize2>(steps, stepStride, rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 2: Rows<TileSize1, TileSize3>(steps, stepStride, rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 3: Rows<TileSize1, TileSize4>(steps, stepStride, rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 4: Rows<TileSize2, TileSize1>(steps, stepStride, rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 5: Rows<TileSize2, TileSize2>(steps, stepStride, rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 6: Rows<TileSize2, TileSize3>(steps, stepStride, rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 7: Rows<TileSize2, TileSize4>(steps, stepStride, rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 8: Rows<TileSize3, TileSize1>(steps, stepStride, rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 9: Rows<TileSize3, TileSize2>(steps, stepStride, rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 10: Rows<TileSize3, TileSize3>(steps, stepStride, rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 11: Rows<TileSize3, TileSize4>(steps, stepStride, rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 12: Rows<TileSize4, TileSize1>(steps, stepStride, rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 13: Rows<TileSize4, TileSize2>(steps, stepStride, rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            case 14: Rows<TileSize4, TileSize3>(steps, stepStride, rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
            default: Rows<TileSize4, TileSize4>(steps, stepStride, rows, z, zStride, depth, w, wStride, b, h, hidden, hiddenStride, u, uStride, c, o, output, outputStride); break;
        }
    }

    /// <summary>
    /// One step of one row, as <see cref="Steps"/> with one step and one row computes it (the same chains, so the same
    /// bits): h' = tanh(b + z·W) written to <paramref name="hidden"/>, then y = c + h'·U written to
    /// <paramref name="output"/>. z holds d + h values; W's rows are h floats apart (read in place) and U's
    /// <see cref="SmallStepLayout.OutputWeightStride"/>; the sizes and bias rows come from <paramref name="layout"/>. Its
    /// few arguments all travel in registers and it has no loop over steps or rows: a streaming step is short enough
    /// that the general entry's argument traffic and loops are a visible part of it. Only for <see cref="Supports"/> shapes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Step(in SmallStepLayout layout, float* z, float* w, float* u, float* hidden, float* output)
    {
        switch (layout.Tiles)
        {
            case 0: OneRow<TileSize1, TileSize1>(layout, z, w, u, hidden, output); break;
            case 1: OneRow<TileSize1, TileSize2>(layout, z, w, u, hidden, output); break;
            case 2: OneRow<TileSize1, TileSize3>(layout, z, w, u, hidden, output); break;
            case 3: OneRow<TileSize1, TileSize4>(layout, z, w, u, hidden, output); break;
            case 4: OneRow<TileSize2, TileSize1>(layout, z, w, u, hidden, output); break;
            case 5: OneRow<TileSize2, TileSize2>(layout, z, w, u, hidden, output); break;
            case 6: OneRow<TileSize2, TileSize3>(layout, z, w, u, hidden, output); break;
            case 7: OneRow<TileSize2, TileSize4>(layout, z, w, u, hidden, output); break;
            case 8: OneRow<TileSize3, TileSize1>(layout, z, w, u, hidden, output); break;
            case 9: OneRow<TileSize3, TileSize2>(layout, z, w, u, hidden, output); break;
            case 10: OneRow<TileSize3, TileSize3>(layout, z, w, u, hidden, output); break;
            case 11: OneRow<TileSize3, TileSize4>(layout, z, w, u, hidden, output); break;
            case 12: OneRow<TileSize4, TileSize1>(layout, z, w, u, hidden, output); break;
            case 13: OneRow<TileSize4, TileSize2>(layout, z, w, u, hidden, output); break;
            case 14: OneRow<TileSize4, TileSize3>(layout, z, w, u, hidden, output); break;
            default: OneRow<TileSize4, TileSize4>(layout, z, w, u, hidden, output); break;
        }
    }

    /// <summary>The instantiation of the kernels for a layer of h and o columns: 4·(⌈h/16⌉ − 1) + ⌈o/16⌉ − 1.</summary>
    internal static int TilesFor(int h, int o) => ((h + 15) >> 4) * 4 + ((o + 15) >> 4) - 5;

    /// <summary>
    /// The backward recurrence over steps t = <paramref name="steps"/> … 1 of <paramref name="rows"/> rows each, in place over
    /// the gradient rows (step t's row r at <paramref name="gradients"/> + ((t − 1)·rows + r)·gradientStride, holding dH_t on
    /// entry and dA_t on return): dA_T = dH_T ⊙ (1 − H_T²), and for t &lt; T, dA_t = (s + dA_{t+1}·Wᵀ) ⊙ (1 − H_t²) with s
    /// = dH_t when <paramref name="addToGradients"/> (every step had outputs) and +0 otherwise. H_t's row r is at
    /// <paramref name="hidden"/> + ((t − 1)·rows + r)·hiddenStride; Wᵀ is h×h at <paramref name="transposedWeights"/>, its
    /// rows <paramref name="transposedStride"/> floats apart (unread when <paramref name="steps"/> is 1). Only for
    /// <see cref="Supports"/> widths h; the gradient rows are padded to whole 16-float vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardSteps(int steps, int rows, float* gradients, nint gradientStride, bool addToGradients, float* transposedWeights,
        nint transposedStride, int h, float* hidden, nint hiddenStride)
    {
        switch ((h + 15) >> 4)
        {
            case 1: BackwardRows<TileSize1>(steps, rows, gradients, gradientStride, addToGradients, transposedWeights, transposedStride, h, hidden, hiddenStride); break;
            case 2: BackwardRows<TileSize2>(steps, rows, gradients, gradientStride, addToGradients, transposedWeights, transposedStride, h, hidden, hiddenStride); break;
            case 3: BackwardRows<TileSize3>(steps, rows, gradients, gradientStride, addToGradients, transposedWeights, transposedStride, h, hidden, hiddenStride); break;
            default: BackwardRows<TileSize4>(steps, rows, gradients, gradientStride, addToGradients, transposedWeights, transposedStride, h, hidden, hiddenStride); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows<THidden, TOutput>(int steps, nint stepStride, int rows, float* z, nint zStride, int depth, float* w, nint wStride,
        float* b, int h, float* hidden, nint hiddenStride, float* u, nint uStride, float* c, int o, float* output, nint outputStride)
        where THidden : struct, ITileSize
        where TOutput : struct, ITileSize
    {
        int hv = THidden.Value, ov = TOutput.Value;
        Vector512<float> hiddenMask = LastVectorMask(h, hv), outputMask = LastVectorMask(o, ov);
        bool hiddenFull = h == 16 * hv, outputFull = o == 16 * ov;
        // With one row, h' stays in registers for the next step and the output, each value broadcast from its lane: the
        // row in z starts d floats in, so a load right after the store there may not be forwarded from it, and a lane
        // permute is shorter than a store and a forwarded load even when it is.
        Vector512<float> p0 = default, p1 = default, p2 = default, p3 = default;
        int inputDepth = depth - h;
        for (int s = 0; s < steps; s++)
        {
            bool carried = rows == 1 && s > 0;
            for (int r = 0; r < rows; r++)
            {
                float* zr = z + s * stepStride + r * zStride;
                LoadWhole<THidden>(b, out Vector512<float> a0, out Vector512<float> a1, out Vector512<float> a2, out Vector512<float> a3);
                // The chain over k = 0 … K − 1: z's first K − h values, then h' of the step before (z's last h values).
                float* wk = w;
                for (int k = 0; k < depth; k++)
                {
                    Vector512<float> x = carried && k >= inputDepth ? Lane<THidden>(p0, p1, p2, p3, k - inputDepth) : Vector512.Create(zr[k]);
                    MultiplyAdd<THidden>(x, wk, ref a0, ref a1, ref a2, ref a3);
                    wk += wStride;
                }

                float* state = hidden + s * stepStride + r * hiddenStride;
                Tanh<THidden>(a0, a1, a2, a3, out p0, out p1, out p2, out p3);
                StoreRow<THidden>(state, p0, p1, p2, p3, hiddenMask, hiddenFull);
                if (output == null || s < steps - 1) continue;

                LoadWhole<TOutput>(c, out Vector512<float> y0, out Vector512<float> y1, out Vector512<float> y2, out Vector512<float> y3);
                float* uk = u;
                for (int k = 0; k < h; k++)
                {
                    Vector512<float> x = rows == 1 ? Lane<THidden>(p0, p1, p2, p3, k) : Vector512.Create(state[k]);
                    MultiplyAdd<TOutput>(x, uk, ref y0, ref y1, ref y2, ref y3);
                    uk += uStride;
                }

                StoreRow<TOutput>(output + r * outputStride, y0, y1, y2, y3, outputMask, outputFull);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneRow<THidden, TOutput>(in SmallStepLayout layout, float* z, float* w, float* u, float* hidden, float* output)
        where THidden : struct, ITileSize
        where TOutput : struct, ITileSize
    {
        int hv = THidden.Value, ov = TOutput.Value;
        int h = layout.HiddenSize, o = layout.OutputSize, depth = layout.InputSize + h;
        LoadWhole<THidden>(layout.HiddenBias, out Vector512<float> a0, out Vector512<float> a1, out Vector512<float> a2, out Vector512<float> a3);
        float* wk = w;
        for (int k = 0; k < depth; k++)
        {
            MultiplyAdd<THidden>(Vector512.Create(z[k]), wk, ref a0, ref a1, ref a2, ref a3);
            wk += h;
        }

        Tanh<THidden>(a0, a1, a2, a3, out Vector512<float> p0, out Vector512<float> p1, out Vector512<float> p2, out Vector512<float> p3);
        StoreRow<THidden>(hidden, p0, p1, p2, p3, LastVectorMask(h, hv), h == 16 * hv);

        LoadWhole<TOutput>(layout.OutputBias, out Vector512<float> y0, out Vector512<float> y1, out Vector512<float> y2, out Vector512<float> y3);
        float* uk = u;
        nint uStride = layout.OutputWeightStride;
        for (int k = 0; k < h; k++)
        {
            MultiplyAdd<TOutput>(Lane<THidden>(p0, p1, p2, p3, k), uk, ref y0, ref y1, ref y2, ref y3);
            uk += uStride;
        }

        StoreRow<TOutput>(output, y0, y1, y2, y3, LastVectorMask(o, ov), o == 16 * ov);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRows<THidden>(int steps, int rows, float* gradients, nint gradientStride, bool addToGradients,
        float* transposedWeights, nint transposedStride, int h, float* hidden, nint hiddenStride)
        where THidden : struct, ITileSize
    {
        int hv = THidden.Value;
        Vector512<float> mask = LastVectorMask(h, hv);
        bool full = h == 16 * hv;
        nint stepStride = rows * gradientStride, hiddenStepStride = rows * hiddenStride;
        for (int t = steps; t >= 1; t--)
        {
            for (int r = 0; r < rows; r++)
            {
                float* g = gradients + (t - 1) * stepStride + r * gradientStride;
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                if (t == steps || addToGradients)
                {
                    a0 = Vector512.Load(g);
                    if (hv > 1) a1 = Vector512.Load(g + 16);
                    if (hv > 2) a2 = Vector512.Load(g + 32);
                    if (hv > 3) a3 = Vector512.Load(g + 48);
                }

                if (t < steps)
                {
                    // dA_{t+1}'s row r, the step just finished.
                    float* later = g + stepStride;
                    float* wk = transposedWeights;
                    for (int k = 0; k < h; k++)
                    {
                        Vector512<float> x = Vector512.Create(later[k]);
                        a0 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(wk), a0);
                        if (hv > 1) a1 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(wk + 16), a1);
                        if (hv > 2) a2 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(wk + 32), a2);
                        if (hv > 3) a3 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(wk + 48), a3);
                        wk += transposedStride;
                    }
                }

                float* state = hidden + (t - 1) * hiddenStepStride + r * hiddenStride;
                TanhGradientOperator gradient = default;
                a0 = gradient.Invoke(LoadRowVector(state, 0, hv, mask), a0);
                if (hv > 1) a1 = gradient.Invoke(LoadRowVector(state, 1, hv, mask), a1);
                if (hv > 2) a2 = gradient.Invoke(LoadRowVector(state, 2, hv, mask), a2);
                if (hv > 3) a3 = gradient.Invoke(LoadRowVector(state, 3, hv, mask), a3);
                StoreRow<THidden>(g, a0, a1, a2, a3, mask, full);
            }
        }
    }

    /// <summary>The first 16·<typeparamref name="TSize"/> floats of a zero-padded row (a bias row), as whole vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadWhole<TSize>(float* row, out Vector512<float> v0, out Vector512<float> v1, out Vector512<float> v2, out Vector512<float> v3)
        where TSize : struct, ITileSize
    {
        int vectors = TSize.Value;
        v0 = Vector512.Load(row);
        v1 = vectors > 1 ? Vector512.Load(row + 16) : default;
        v2 = vectors > 2 ? Vector512.Load(row + 32) : default;
        v3 = vectors > 3 ? Vector512.Load(row + 48) : default;
    }

    /// <summary>One link of each chain of a row: a += x·row over the row's 16·<typeparamref name="TSize"/> columns, one fused multiply-add per vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyAdd<TSize>(Vector512<float> x, float* row, ref Vector512<float> a0, ref Vector512<float> a1, ref Vector512<float> a2,
        ref Vector512<float> a3)
        where TSize : struct, ITileSize
    {
        int vectors = TSize.Value;
        a0 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(row), a0);
        if (vectors > 1) a1 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(row + 16), a1);
        if (vectors > 2) a2 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(row + 32), a2);
        if (vectors > 3) a3 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(row + 48), a3);
    }

    /// <summary><see cref="TanhOperator"/> on each of a row's <typeparamref name="TSize"/> vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tanh<TSize>(Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3,
        out Vector512<float> p0, out Vector512<float> p1, out Vector512<float> p2, out Vector512<float> p3)
        where TSize : struct, ITileSize
    {
        int vectors = TSize.Value;
        p0 = default(TanhOperator).Invoke(a0);
        p1 = vectors > 1 ? default(TanhOperator).Invoke(a1) : default;
        p2 = vectors > 2 ? default(TanhOperator).Invoke(a2) : default;
        p3 = vectors > 3 ? default(TanhOperator).Invoke(a3) : default;
    }

    /// <summary>Value <paramref name="k"/> of a row held in <paramref name="v0"/> … <paramref name="v3"/>, in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Lane<TSize>(Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3, int k)
        where TSize : struct, ITileSize
    {
        int vectors = TSize.Value;
        Vector512<float> holder = vectors == 1 || k < 16 ? v0 : vectors == 2 || k < 32 ? v1 : vectors == 3 || k < 48 ? v2 : v3;
        return Avx512F.PermuteVar16x32(holder, Vector512.Create(k & 15));
    }

    /// <summary>The lanes of a row's last vector that lie inside a row <paramref name="width"/> floats wide, in <paramref name="vectors"/> vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> LastVectorMask(int width, int vectors) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(width - 16 * (vectors - 1))).AsSingle();

    /// <summary>Vector <paramref name="index"/> of a row; the last one through <paramref name="lastMask"/> (lanes past the row read as 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> LoadRowVector(float* row, int index, int vectors, Vector512<float> lastMask) =>
        index < vectors - 1 ? Vector512.Load(row + 16 * index) : Avx512F.MaskLoad(row + 16 * index, lastMask, Vector512<float>.Zero);

    /// <summary>Stores the row's vectors, the last one whole when <paramref name="full"/> and else through <paramref name="lastMask"/>: exactly the row's width is written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TSize>(float* row, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3,
        Vector512<float> lastMask, bool full)
        where TSize : struct, ITileSize
    {
        int vectors = TSize.Value;
        if (vectors > 1) v0.Store(row);
        if (vectors > 2) v1.Store(row + 16);
        if (vectors > 3) v2.Store(row + 32);
        Vector512<float> last = vectors switch { 1 => v0, 2 => v1, 3 => v2, _ => v3 };
        // A masked store does not forward to the loads that read the row next (the next step's broadcasts), so a row
        // that fills its last vector stores it whole.
        if (full) last.Store(row + 16 * (vectors - 1));
        else Avx512F.MaskStore(row + 16 * (vectors - 1), lastMask, last);
    }
}

/// <summary>
/// What <see cref="SmallRecurrence.Step"/> reads besides the rows it is given: a small layer's sizes, its padded bias
/// rows (pinned, so their addresses hold for the model's life) and the stride of U's rows. A session makes it once.
/// </summary>
internal readonly unsafe struct SmallStepLayout
{
    /// <summary>Keeps a layer of <paramref name="inputSize"/> inputs, h = <paramref name="hiddenSize"/> and o = <paramref name="outputSize"/>.</summary>
    public SmallStepLayout(int inputSize, int hiddenSize, int outputSize, float* hiddenBias, float* outputBias, nint outputWeightStride)
    {
        (InputSize, HiddenSize, OutputSize) = (inputSize, hiddenSize, outputSize);
        HiddenBias = hiddenBias;
        OutputBias = outputBias;
        OutputWeightStride = outputWeightStride;
        Tiles = SmallRecurrence.TilesFor(hiddenSize, outputSize);
    }

    /// <summary>d.</summary>
    public int InputSize { get; }

    /// <summary>h; also the stride of W's rows.</summary>
    public int HiddenSize { get; }

    /// <summary>o.</summary>
    public int OutputSize { get; }

    /// <summary>bh, zero-padded to whole 16-float vectors.</summary>
    public float* HiddenBias { get; }

    /// <summary>bo, zero-padded to whole 16-float vectors.</summary>
    public float* OutputBias { get; }

    /// <summary>The distance between U's rows, in floats.</summary>
    public nint OutputWeightStride { get; }

    /// <summary>The kernels' instantiation for h and o (<see cref="SmallRecurrence.TilesFor"/>).</summary>
    public int Tiles { get; }
}
