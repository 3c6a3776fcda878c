using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Fast.Kernels;

/// <summary>Copies operands into the layouts the GEMM microkernels read. Copies are exact: packing never changes a bit.</summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs a K×N matrix B, whose element (k, j) is at source[k·rowStride + j·columnStride], into k-major panels
    /// of <see cref="PackedMatrix.PanelWidth"/> columns, zero-padding the last panel.
    /// </summary>
    internal static void PackPanels(float* source, nint rowStride, nint columnStride, int rows, int columns, float* destination)
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
    private static void PackTransposedSource(float* source, nint rowStride, nint columnStride, int rows, int columns, float* destination)
    {
        const int width = PackedMatrix.PanelWidth;
        for (int j0 = 0; j0 < columns; j0 += width)
        {
            int valid = Math.Min(width, columns - j0);
            float* panel = destination + (nint)(j0 / width) * rows * width;
            for (int k0 = 0; k0 < rows; k0 += TransposeDepthBlock)
            {
                int depth = Math.Min(TransposeDepthBlock, rows - k0);
                for (int j = 0; j < valid; j += 8)
                {
                    float* from = source + (j0 + j) * columnStride + k0 * rowStride;
                    float* to = panel + (nint)k0 * width + j;
                    int present = Math.Min(valid - j, 8);
                    int k = 0;
                    if (present == 8 && rowStride == 1 && Avx.IsSupported)
                    {
                        for (; k + 8 <= depth; k += 8) Transpose8x8(from + k, columnStride, to + (nint)k * width, width);
                    }

                    for (; k < depth; k++)
                    {
                        float* toRow = to + (nint)k * width;
                        for (int c = 0; c < present; c++) toRow[c] = from[c * columnStride + k * rowStride];
                        for (int c = present; c < 8; c++) toRow[c] = 0f;
                    }
                }

                // Groups of 8 columns past the last valid one are zero.
                int zeroFrom = (valid + 7) & ~7;
                for (int k = 0; zeroFrom < width && k < depth; k++)
                {
                    new Span<float>(panel + (nint)(k0 + k) * width + zeroFrom, width - zeroFrom).Clear();
                }
            }
        }
    }

    /// <summary>
    /// Writes the transpose of the 8×8 block whose row i starts at from + i·fromStride to the block whose row i starts
    /// at to + i·toStride: unpack pairs of rows, shuffle pairs of pairs, then swap 128-bit halves. Exact: moves only.
    /// </summary>
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
    /// its panels' rows, 64 floats with whole-vector copies, so the source streams through once however many panels
    /// it has (a product with a plain B packs it on every call).
    /// </summary>
    private static void PackRowMajor(float* source, nint rowStride, int rows, int columns, float* destination)
    {
        const int width = PackedMatrix.PanelWidth;
        int fullPanels = columns / width, tail = columns % width;
        nint panelStride = (nint)rows * width;
        for (int k = 0; k < rows; k++)
        {
            float* from = source + k * rowStride;
            float* to = destination + (nint)k * width;
            for (int p = 0; p < fullPanels; p++) CopyPanelRow(from + p * width, to + p * panelStride);
            if (tail > 0)
            {
                float* last = to + fullPanels * panelStride;
                float* rest = from + fullPanels * width;
                int i = 0;
                if (Vector256.IsHardwareAccelerated)
                {
                    for (; i + 8 <= tail; i += 8) Vector256.Load(rest + i).Store(last + i);
                }

                for (; i < tail; i++) last[i] = rest[i];
                new Span<float>(last + tail, width - tail).Clear();
            }
        }
    }

    /// <summary>Copies one panel row (64 floats); exact on every path.</summary>
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

    /// <summary>
    /// Packs <paramref name="rowCount"/> rows and <paramref name="depth"/> depths of A, whose element (i, k) is at
    /// a[i·rowStride + k·depthStride], into one micro-panel of <paramref name="panelRows"/> rows stored k-major
    /// (panel[k·panelRows + r]); rows past <paramref name="rowCount"/> are zero.
    /// </summary>
    internal static void PackRows(float* a, nint rowStride, nint depthStride, int rowCount, int depth, int panelRows, float* destination)
    {
        for (int r = 0; r < panelRows; r++)
        {
            float* to = destination + r;
            if (r < rowCount)
            {
                float* from = a + r * rowStride;
                for (int k = 0; k < depth; k++) to[(nint)k * panelRows] = from[k * depthStride];
            }
            else
            {
                for (int k = 0; k < depth; k++) to[(nint)k * panelRows] = 0f;
            }
        }
    }
}
