using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Fast.Kernels;

/// <summary>
/// Copies operands into the layouts the GEMM microkernels read. Copies are exact: packing never changes a bit. Like the
/// tiles, the packing loops are compiled optimized at their first call (<c>AggressiveOptimization</c>): the training
/// step repacks its weights after every update, and as tier-0 code the vector copies would be calls.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs a K×N matrix B, whose element (k, j) is at source[k·rowStride + j·columnStride], into the rows of
    /// <paramref name="destination"/> (a view of <paramref name="rows"/> rows of a pack, <paramref name="columns"/> wide):
    /// k-major full panels of <see cref="PackedMatrix.PanelWidth"/> columns, then the remainder panel at its exact width.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackPanels(float* source, nint rowStride, nint columnStride, int rows, int columns, PackedPanels destination)
    {
        if (columnStride == 1) PackRowMajor(source, rowStride, rows, columns, destination);
        else PackTransposedSource(source, rowStride, columnStride, rows, columns, destination);
    }

    /// <summary>Depths per block of <see cref="PackTransposedSource"/>: 64 panel rows of 8 columns (2 KiB) are written while 8 source rows are read.</summary>
    internal const int TransposeDepthBlock = 64;

    /// <summary>
    /// <see cref="PackPanels"/> for a source whose rows are B's columns (B = Wᵀ, for dX = dA·Wᵀ). Each panel is filled
    /// in blocks of 64 depths by 8 columns, so the eight source rows and the 64 panel rows in flight stay in L1; with
    /// AVX, each 8×8 piece is transposed in registers. Filling one column at a time down the whole depth would write
    /// each panel line 16 times, 256 bytes apart, and the training step repacks the transposed weights after every
    /// update.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackTransposedSource(float* source, nint rowStride, nint columnStride, int rows, int columns, PackedPanels destination)
    {
        const int width = PackedMatrix.PanelWidth;
        for (int p = 0, j0 = 0; j0 < columns; p++, j0 += width)
        {
            int valid = destination.PanelColumns(p);
            nint panelRowStride = destination.RowStride(p);
            float* panel = destination.Panel(p);
            for (int k0 = 0; k0 < rows; k0 += TransposeDepthBlock)
            {
                int depth = Math.Min(TransposeDepthBlock, rows - k0);
                for (int j = 0; j < valid; j += 8)
                {
                    float* from = source + (j0 + j) * columnStride + k0 * rowStride;
                    float* to = panel + k0 * panelRowStride + j;
                    int present = Math.Min(valid - j, 8);
                    int k = 0;
                    if (present == 8 && rowStride == 1 && Avx.IsSupported)
                    {
                        for (; k + 8 <= depth; k += 8) Transpose8x8(from + k, columnStride, to + k * panelRowStride, panelRowStride);
                    }

                    for (; k < depth; k++)
                    {
                        float* toRow = to + k * panelRowStride;
                        for (int c = 0; c < present; c++) toRow[c] = from[c * columnStride + k * rowStride];
                    }
                }
            }
        }
    }

    /// <summary>
    /// Writes the transpose of the 8×8 block whose row i starts at from + i·fromStride to the block whose row i starts
    /// at to + i·toStride: unpack pairs of rows, shuffle pairs of pairs, then swap 128-bit halves. Exact: moves only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* from, nint fromStride, float* to, nint toStride)
    {
        Vector256<float> r0 = Avx.LoadVector256(from), r1 = Avx.LoadVector256(from + fromStride);
        Vector256<float> r2 = Avx.LoadVector256(from + 2 * fromStride), r3 = Avx.LoadVector256(from + 3 * fromStride);
        Vector256<float> r4 = Avx.LoadVector256(from + 4 * fromStride), r5 = Avx.LoadVector256(from + 5 * fromStride);
        Vector256<float> r6 = Avx.LoadVector256(from + 6 * fromStride), r7 = Avx.LoadVector256(from + 7 * fromStride);
        // t0 = [a00 a10 a01 a11 | a04 a14 a05 a15], t1 = [a02 a12 a03 a13 | a06 a16 a07 a17], and so on.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        // s0 = [a00 a10 a20 a30 | a04 a14 a24 a34], s1 = [a01 … a31 | a05 … a35], s2 = columns 2 and 6, s3 = 3 and 7.
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(to, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(to + toStride, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(to + 2 * toStride, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(to + 3 * toStride, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(to + 4 * toStride, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(to + 5 * toStride, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(to + 6 * toStride, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(to + 7 * toStride, Avx.Permute2x128(s3, s7, 0x31));
    }

    /// <summary>
    /// <see cref="PackPanels"/> for a row-major source: each source row is read once, front to back, and split into
    /// its panels' rows, 64 floats with whole-vector copies and the remainder's exact width, so the source streams
    /// through once however many panels it has (a product with a plain B packs it on every call). Nothing outside the
    /// view's rows is written: the other factor of a stacked pack may lie right after them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackRowMajor(float* source, nint rowStride, int rows, int columns, PackedPanels destination)
    {
        const int width = PackedMatrix.PanelWidth;
        int fullPanels = columns / width, tail = columns % width;
        float* first = destination.Panel(0);
        float* last = destination.Panel(fullPanels);
        nint panelStride = destination.PanelStride;
        for (int k = 0; k < rows; k++)
        {
            float* from = source + k * rowStride;
            float* to = first + (nint)k * width;
            for (int p = 0; p < fullPanels; p++) CopyPanelRow(from + p * width, to + p * panelStride);
            if (tail > 0)
            {
                CopyShort(from + fullPanels * width, last + (nint)k * tail, tail);
            }
        }
    }

    /// <summary>
    /// Copies <paramref name="count"/> floats between buffers that do not overlap: whole 8-float vectors and a scalar
    /// tail, inlined, for the short rows of narrow panels and edge tiles (a call to the general copy costs more than the
    /// copy there); longer rows go to <see cref="Span{T}.CopyTo(Span{T})"/>. Exact on every path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CopyShort(float* from, float* to, int count)
    {
        if (count > PackedMatrix.PanelWidth)
        {
            new ReadOnlySpan<float>(from, count).CopyTo(new Span<float>(to, count));
            return;
        }

        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= count; i += 8) Vector256.Load(from + i).Store(to + i);
        }

        for (; i < count; i++) to[i] = from[i];
    }

    /// <summary>
    /// Sets <paramref name="count"/> floats to +0: whole 8-float vectors and a scalar tail, inlined, for short rows (as
    /// <see cref="CopyShort"/>); longer rows go to <see cref="Span{T}.Clear"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ClearShort(float* to, int count)
    {
        if (count > PackedMatrix.PanelWidth)
        {
            new Span<float>(to, count).Clear();
            return;
        }

        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= count; i += 8) Vector256<float>.Zero.Store(to + i);
        }

        for (; i < count; i++) to[i] = 0f;
    }

    /// <summary>Copies one panel row (64 floats); exact on every path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyPanelRow(float* from, float* to)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512.Load(from).Store(to);
            Vector512.Load(from + 16).Store(to + 16);
            Vector512.Load(from + 32).Store(to + 32);
            Vector512.Load(from + 48).Store(to + 48);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (int i = 0; i < PackedMatrix.PanelWidth; i += 16)
            {
                Vector256.Load(from + i).Store(to + i);
                Vector256.Load(from + i + 8).Store(to + i + 8);
            }
        }
        else
        {
            new ReadOnlySpan<float>(from, PackedMatrix.PanelWidth).CopyTo(new Span<float>(to, PackedMatrix.PanelWidth));
        }
    }
}
