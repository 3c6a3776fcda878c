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
        for (int j0 = 0; j0 < columns; j0 += width)
        {
            int valid = Math.Min(width, columns - j0);
            float* panel = destination + (nint)(j0 / width) * rows * width;
            if (columnStride == 1)
            {
                for (int k = 0; k < rows; k++)
                {
                    float* from = source + k * rowStride + j0;
                    float* to = panel + (nint)k * width;
                    new ReadOnlySpan<float>(from, valid).CopyTo(new Span<float>(to, valid));
                    new Span<float>(to + valid, width - valid).Clear();
                }
            }
            else
            {
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
