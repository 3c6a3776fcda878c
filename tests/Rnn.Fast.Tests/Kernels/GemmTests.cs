using FsCheck;
using FsCheck.Fluent;
using Rnn.Fast.Kernels;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Kernels;

/// <summary>
/// The GEMM family against a double-precision product, on every instruction-set path this process supports, and
/// bit for bit across paths, batch sizes and operand layouts.
/// </summary>
/// <remarks>
/// Tolerance: each element is one chain of K fused multiply-adds starting from c₀, and each FMA rounds once, so
/// |ĉ − c| ≤ γ_K·(|c₀| + Σ_k |a_ik·b_kj|), γ_K = K·u/(1 − K·u), u = 2⁻²⁴ (Higham, Accuracy and Stability of
/// Numerical Algorithms, §3.1; the FMA form saves the product roundings). The double reference has error ~K·2⁻⁵³,
/// far below that bound.
/// </remarks>
public class GemmTests
{
    /// <summary>200 cases: every edge size of GemmCase comes up several times per dimension; with the work cap in <see cref="GemmCase"/> the property runs in seconds.</summary>
    private static readonly Config Cases = Config.QuickThrowOnFailure.WithMaxTest(200);

    private enum Operation { Multiply, MultiplyAdd, MultiplyPacked, MultiplyAddPacked, TransposeMultiplyAdd, MultiplyWithBias, MultiplyPackedWithBias }

    [Fact]
    public void EveryOperationOnEveryPathIsWithinTheFmaChainBoundAndBitIdenticalAcrossPaths()
    {
        Check.One(Cases, Prop.ForAll(GemmCase.Arbitrary, (GemmCase c) =>
        {
            foreach (Operation operation in Enum.GetValues<Operation>())
            {
                CheckOperation(c, operation);
            }
        }));
    }

    /// <summary>
    /// The shapes that select the one-row tile's narrow remainder widths and the packing of a plain B one depth block at
    /// a time, so neither depends on the random draw: N = 32 and 96 store a 32-column remainder straight into C, N = 31,
    /// 33 and 97 go through the edge buffer, N = 64 and 65 take the full-width row; K = 300 packs B in two blocks
    /// (256 + 44). Every operation, every path, M = 1.
    /// </summary>
    [Theory]
    [InlineData(32, 1)]
    [InlineData(32, 300)]
    [InlineData(96, 128)]
    [InlineData(31, 300)]
    [InlineData(33, 7)]
    [InlineData(97, 300)]
    [InlineData(64, 300)]
    [InlineData(65, 33)]
    public void TheOneRowRemainderWidthsAndTheDepthBlockedPackingMeetTheBoundOnEveryPath(int n, int k)
    {
        foreach (Operation operation in Enum.GetValues<Operation>())
        {
            CheckOperation(new GemmCase(1, n, k, PadA: 0, PadB: 0, PadC: 0, Seed: 1000 * n + k), operation);
        }
    }

    /// <summary>
    /// Depths past one block on every path (blocks of 1024 with AVX-512, 256 on AVX2 and portable), where C is stored
    /// and reloaded between blocks and a plain B is packed one block at a time; the random shapes (K ≤ 300) never
    /// cross a 1024 block. 13 rows are 6 + 4 + 3 row tiles, 8 rows are two 4-row tiles, 121 rows cross a 120-row
    /// block, N = 70 ends in an edge panel. Every operation meets the bound and agrees bit for bit across paths, and
    /// the last row computed alone (the matrix-vector path, one pass over k) equals the same row in the batch.
    /// </summary>
    [Theory]
    [InlineData(13, 70, 1100)]
    [InlineData(8, 64, 2100)]
    [InlineData(121, 64, 1025)]
    [InlineData(1, 97, 1030)]
    public void ProductsDeeperThanOneDepthBlockMeetTheBoundAndKeepTheirBitsOnEveryPath(int m, int n, int k)
    {
        var shape = new GemmCase(m, n, k, PadA: 3, PadB: 5, PadC: 1, Seed: m + n + k);
        foreach (Operation operation in Enum.GetValues<Operation>())
        {
            CheckOperation(shape, operation);
        }

        float[] a = shape.Values(m * k, 0), b = shape.Values(k * n, 1), c0 = shape.Values(m * n, 2);
        var packed = PackedMatrix.From(new ReadOnlyMatrixSpan(b, k, n));
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            float[] batch = (float[])c0.Clone();
            MatrixMultiply.Multiply(new ReadOnlyMatrixSpan(a, m, k), packed, new MatrixSpan(batch, m, n), accumulate: true, path);
            float[] alone = c0.AsSpan((m - 1) * n, n).ToArray();
            MatrixMultiply.Multiply(new ReadOnlyMatrixSpan(a.AsSpan((m - 1) * k, k), 1, k), packed, new MatrixSpan(alone, 1, n), accumulate: true, path);
            AssertBits(batch.AsSpan((m - 1) * n, n), alone, $"{path}: the last row of {shape}");
        }
    }

    [Fact]
    public void ARowComputedAloneInEitherPanelOrderEqualsTheSameRowInsideAnyBatch()
    {
        Check.One(Cases, Prop.ForAll(GemmCase.Arbitrary, (GemmCase c) =>
        {
            float[] a = c.Values(c.M * c.K, 0), b = c.Values(c.K * c.N, 1), c0 = c.Values(c.M * c.N, 2);
            var packed = PackedMatrix.From(new ReadOnlyMatrixSpan(b, c.K, c.N));
            foreach (InstructionSet path in KernelDispatch.Supported)
            {
                float[] batch = (float[])c0.Clone();
                MatrixMultiply.Multiply(new ReadOnlyMatrixSpan(a, c.M, c.K), packed, new MatrixSpan(batch, c.M, c.N), accumulate: true, path);
                int row = c.Seed % c.M;
                float[] alone = c0.AsSpan(row * c.N, c.N).ToArray();
                MatrixMultiply.Multiply(new ReadOnlyMatrixSpan(a.AsSpan(row * c.K, c.K), 1, c.K), packed, new MatrixSpan(alone, 1, c.N), accumulate: true, path);
                AssertBits(batch.AsSpan(row * c.N, c.N), alone, $"{path}: row {row} of {c}");

                // The matrix-vector path's panels taken last to first (the engine alternates the order along a
                // sequence) give the same bits: the order of the panels changes no element's chain.
                float[] reversed = c0.AsSpan(row * c.N, c.N).ToArray();
                MatrixMultiply.Multiply(new ReadOnlyMatrixSpan(a.AsSpan(row * c.K, c.K), 1, c.K), packed, new MatrixSpan(reversed, 1, c.N),
                    accumulate: true, path, reversePanels: true);
                AssertBits(batch.AsSpan(row * c.N, c.N), reversed, $"{path}: row {row} of {c}, panels last to first");

                // And a block of rows starting at an odd position gives the same bits as the full batch.
                int start = c.M / 3, count = c.M - start;
                float[] block = c0.AsSpan(start * c.N, count * c.N).ToArray();
                MatrixMultiply.Multiply(new ReadOnlyMatrixSpan(a.AsSpan(start * c.K), count, c.K), packed, new MatrixSpan(block, count, c.N), accumulate: true, path);
                AssertBits(batch.AsSpan(start * c.N), block, $"{path}: rows {start}.. of {c}");
            }
        }));
    }

    /// <summary>
    /// Every tile height and every remainder width, explicitly rather than by the random draw: M = 1 … 14 rows (every
    /// height of the family, 7 and 8 as 4 + 3 and 4 + 4, and 6 + 1 … 6 + 6 + 2) against N at every width class of a
    /// remainder panel (1, 2, 15 … 17, 31 … 33, 47 … 49, 63 … 65, and 70, 96, 130, 150, 200 with full panels before the
    /// remainder). Each operation meets the bound and agrees across paths (CheckOperation), and every row computed
    /// alone equals the same row inside the batch. 14·17 small shapes (K = 37) take well under a second per path.
    /// </summary>
    [Fact]
    public void EveryTileHeightAndRemainderWidthMeetsTheBoundAndKeepsItsRowsBits()
    {
        int[] widths = [1, 2, 15, 16, 17, 31, 32, 33, 47, 48, 49, 63, 64, 65, 70, 96, 130, 150, 200];
        for (int m = 1; m <= 14; m++)
        {
            foreach (int n in widths)
            {
                var shape = new GemmCase(m, n, 37, PadA: 1, PadB: 3, PadC: 2, Seed: 100 * m + n);
                CheckOperation(shape, Operation.MultiplyAddPacked);
                CheckOperation(shape, Operation.TransposeMultiplyAdd);
                CheckOperation(shape, Operation.MultiplyPackedWithBias);
                float[] a = shape.Values(m * 37, 0), b = shape.Values(37 * n, 1), c0 = shape.Values(m * n, 2);
                var packed = PackedMatrix.From(new ReadOnlyMatrixSpan(b, 37, n));
                foreach (InstructionSet path in KernelDispatch.Supported)
                {
                    float[] batch = (float[])c0.Clone();
                    MatrixMultiply.Multiply(new ReadOnlyMatrixSpan(a, m, 37), packed, new MatrixSpan(batch, m, n), accumulate: true, path);
                    for (int row = 0; row < m; row++)
                    {
                        float[] alone = c0.AsSpan(row * n, n).ToArray();
                        MatrixMultiply.Multiply(new ReadOnlyMatrixSpan(a.AsSpan(row * 37, 37), 1, 37), packed, new MatrixSpan(alone, 1, n), accumulate: true, path);
                        AssertBits(batch.AsSpan(row * n, n), alone, $"{path}: row {row} of {m}×{n}");
                    }
                }
            }
        }
    }

    /// <summary>
    /// The driver's epilogues store exactly what the product followed by the elementwise kernel stores: tanh(start + A·B)
    /// and (start + A·B)·(1 − h²), on every path, for full panels, remainders that are stored directly (48 columns) or
    /// through the edge buffer (70, 130), batches of every tile class, one row over a full panel and a remainder in one
    /// pass (130, 200 and 112 = 64 + 48, in both panel orders), and depths past one depth block on every path
    /// (1030 &gt; 1024), where the epilogue runs only after the last block. Outputs are pre-filled with NaN, and the
    /// columns between rows of a strided C must stay NaN.
    /// </summary>
    [Theory]
    [InlineData(1, 48, 40)]
    [InlineData(3, 70, 9)]
    [InlineData(7, 130, 300)]
    [InlineData(13, 64, 1030)]
    [InlineData(2, 200, 1030)]
    [InlineData(1, 130, 300)]
    [InlineData(1, 200, 1030)]
    [InlineData(1, 112, 20)]
    public unsafe void TheTanhAndTanhGradientEpiloguesEqualTheProductFollowedByTheElementwiseKernel(int m, int n, int k)
    {
        var shape = new GemmCase(m, n, k, 0, 0, 0, Seed: m * n + k);
        float[] a = shape.Values(m * k, 0), b = shape.Values(k * n, 1), start = shape.Values(m * n, 2), h = shape.Values(m * n, 3);
        var packed = PackedMatrix.From(new ReadOnlyMatrixSpan(b, k, n));
        int ldc = n + 3;
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            float[] sums = (float[])start.Clone();
            MatrixMultiply.Multiply(new ReadOnlyMatrixSpan(a, m, k), packed, new MatrixSpan(sums, m, n), accumulate: true, path);
            float[] expectedTanh = new float[m * n], expectedGradient = new float[m * n];
            Activations.Tanh(sums, expectedTanh, path);
            Activations.TanhGradient(h, sums, expectedGradient, path);

            float[] tanh = Enumerable.Repeat(float.NaN, m * ldc).ToArray(), gradient = Enumerable.Repeat(float.NaN, m * ldc).ToArray();
            fixed (float* pa = a)
            fixed (float* pStart = start)
            fixed (float* ph = h)
            fixed (float* pTanh = tanh)
            fixed (float* pGradient = gradient)
            {
                GemmDriver.Run<StoreTanh>(path, pa, k, 1, packed.Panels, pTanh, ldc, m, k, pStart, n);
                GemmDriver.Run<StoreTanhGradient>(path, pa, k, 1, packed.Panels, pGradient, ldc, m, k, pStart, n, ph, n, reversePanels: true);
            }

            GC.KeepAlive(packed);
            for (int i = 0; i < m; i++)
            {
                AssertBits(expectedTanh.AsSpan(i * n, n), tanh.AsSpan(i * ldc, n), $"{path}: tanh epilogue, row {i} of {m}×{n}, K = {k}");
                AssertBits(expectedGradient.AsSpan(i * n, n), gradient.AsSpan(i * ldc, n), $"{path}: tanh-gradient epilogue, row {i} of {m}×{n}, K = {k}");
                if (i < m - 1)
                {
                    Assert.All(tanh.AsSpan(i * ldc + n, 3).ToArray(), value => Assert.True(float.IsNaN(value), $"{path}: a column between rows was written"));
                    Assert.All(gradient.AsSpan(i * ldc + n, 3).ToArray(), value => Assert.True(float.IsNaN(value), $"{path}: a column between rows was written"));
                }
            }
        }
    }

    [Fact]
    public void AChainFromABiasOverTwoProductsEqualsOneChainOverTheStackedProduct()
    {
        // The engine's contract: bh, then X·Wxh, then H·Whh, equals [X | H]·[Wxh ; Whh] started from bh.
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), Prop.ForAll(GemmCase.Arbitrary, (GemmCase c) =>
        {
            int d = c.K, h = Math.Max(1, c.N / 2), n = c.M;
            float[] x = c.Values(n * d, 0), hidden = c.Values(n * h, 1), wxh = c.Values(d * h, 2), whh = c.Values(h * h, 3), bias = c.Values(h, 4);
            float[] stackedInput = new float[n * (d + h)];
            for (int i = 0; i < n; i++)
            {
                x.AsSpan(i * d, d).CopyTo(stackedInput.AsSpan(i * (d + h)));
                hidden.AsSpan(i * h, h).CopyTo(stackedInput.AsSpan(i * (d + h) + d));
            }

            float[] stackedWeights = [.. wxh, .. whh];
            foreach (InstructionSet path in KernelDispatch.Supported)
            {
                float[] twoProducts = new float[n * h], oneProduct = new float[n * h];
                for (int i = 0; i < n; i++)
                {
                    bias.CopyTo(twoProducts, i * h);
                    bias.CopyTo(oneProduct, i * h);
                }

                MatrixMultiply.Multiply(new ReadOnlyMatrixSpan(x, n, d), new ReadOnlyMatrixSpan(wxh, d, h), new MatrixSpan(twoProducts, n, h), accumulate: true, path);
                MatrixMultiply.Multiply(new ReadOnlyMatrixSpan(hidden, n, h), PackedMatrix.From(new ReadOnlyMatrixSpan(whh, h, h)), new MatrixSpan(twoProducts, n, h), accumulate: true, path);
                MatrixMultiply.Multiply(new ReadOnlyMatrixSpan(stackedInput, n, d + h), new ReadOnlyMatrixSpan(stackedWeights, d + h, h), new MatrixSpan(oneProduct, n, h), accumulate: true, path);
                AssertBits(oneProduct, twoProducts, $"{path}: n={n}, d={d}, h={h}");
            }
        }));
    }

    [Fact]
    public void ElementsBetweenRowsOfAStridedResultAreNeverTouched()
    {
        const int m = 7, n = 70, k = 9, stride = 75;
        var random = new Random(3);
        float[] a = Enumerable.Range(0, m * k).Select(_ => (float)random.NextDouble()).ToArray();
        float[] b = Enumerable.Range(0, k * n).Select(_ => (float)random.NextDouble()).ToArray();
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            float[] c = Enumerable.Repeat(float.NaN, (m - 1) * stride + n + 4).ToArray();
            MatrixMultiply.Multiply(new ReadOnlyMatrixSpan(a, m, k), new ReadOnlyMatrixSpan(b, k, n), new MatrixSpan(c, m, n, stride), accumulate: false, path);
            for (int i = 0; i < c.Length; i++)
            {
                bool inside = i / stride < m && i % stride < n;
                Assert.True(inside ? float.IsFinite(c[i]) : float.IsNaN(c[i]), $"{path}: element {i} (inside={inside}) is {c[i]}");
            }
        }
    }

    [Fact]
    public void NonFiniteInputsPropagateToExactlyTheirRowAndColumn()
    {
        const int m = 9, n = 67, k = 5;
        float[] a = Enumerable.Repeat(0.5f, m * k).ToArray();
        float[] b = Enumerable.Repeat(0.25f, k * n).ToArray();
        a[4 * k + 2] = float.NaN;          // row 4 of C becomes NaN
        b[1 * n + 66] = float.PositiveInfinity; // column 66 of C becomes +∞ (NaN in row 4)
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            float[] c = new float[m * n];
            MatrixMultiply.Multiply(new ReadOnlyMatrixSpan(a, m, k), new ReadOnlyMatrixSpan(b, k, n), new MatrixSpan(c, m, n), accumulate: false, path);
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    float value = c[i * n + j];
                    if (i == 4) Assert.True(float.IsNaN(value), $"{path}: ({i},{j}) = {value}");
                    else if (j == 66) Assert.Equal(float.PositiveInfinity, value);
                    else Assert.Equal(5 * 0.5f * 0.25f, value);
                }
            }
        }
    }

    [Fact]
    public void MismatchedShapesAreRejectedWithBothShapesInTheMessageAndCUntouched()
    {
        float[] a = new float[6], b = new float[12], c = Enumerable.Repeat(7f, 8).ToArray();
        var error = Assert.Throws<ArgumentException>(() =>
            MatrixMultiply.MultiplyAdd(new ReadOnlyMatrixSpan(a, 2, 3), new ReadOnlyMatrixSpan(b, 4, 3), new MatrixSpan(c, 2, 3)));
        Assert.Equal("b", error.ParamName);
        Assert.Contains("2×3", error.Message);
        Assert.Contains("4", error.Message);

        error = Assert.Throws<ArgumentException>(() =>
            MatrixMultiply.MultiplyAdd(new ReadOnlyMatrixSpan(a, 2, 3), new ReadOnlyMatrixSpan(b, 3, 4), new MatrixSpan(c, 2, 3)));
        Assert.Equal("c", error.ParamName);
        Assert.Contains("2×4", error.Message);

        error = Assert.Throws<ArgumentException>(() =>
            MatrixMultiply.TransposeMultiplyAdd(new ReadOnlyMatrixSpan(a, 3, 2), new ReadOnlyMatrixSpan(b, 4, 3), new MatrixSpan(c, 2, 3)));
        Assert.Equal("b", error.ParamName);

        // A bias must hold exactly N values, for the packed and the plain form.
        var packed = PackedMatrix.From(new ReadOnlyMatrixSpan(b, 3, 4));
        error = Assert.Throws<ArgumentException>(() =>
            MatrixMultiply.MultiplyWithBias(new ReadOnlyMatrixSpan(a, 2, 3), packed, new float[3], new MatrixSpan(c, 2, 4)));
        Assert.Equal("bias", error.ParamName);
        Assert.Contains("4", error.Message);
        error = Assert.Throws<ArgumentException>(() =>
            MatrixMultiply.MultiplyWithBias(new ReadOnlyMatrixSpan(a, 2, 3), new ReadOnlyMatrixSpan(b, 3, 4), new float[5], new MatrixSpan(c, 2, 4)));
        Assert.Equal("bias", error.ParamName);
        Assert.All(c, value => Assert.Equal(7f, value));
    }

    [Fact]
    public void AResultOverlappingAnInputIsRejected()
    {
        float[] buffer = new float[32];
        var error = Assert.Throws<ArgumentException>(() =>
            MatrixMultiply.Multiply(new ReadOnlyMatrixSpan(buffer.AsSpan(0, 4), 2, 2), new ReadOnlyMatrixSpan(buffer.AsSpan(8, 4), 2, 2), new MatrixSpan(buffer.AsSpan(2, 4), 2, 2)));
        Assert.Equal("c", error.ParamName);

        // The bias is read while C is written: C may not share its memory either.
        var packed = PackedMatrix.From(new ReadOnlyMatrixSpan(buffer.AsSpan(8, 4), 2, 2));
        error = Assert.Throws<ArgumentException>(() =>
            MatrixMultiply.MultiplyWithBias(new ReadOnlyMatrixSpan(buffer.AsSpan(0, 4), 2, 2), packed, buffer.AsSpan(20, 2), new MatrixSpan(buffer.AsSpan(18, 4), 2, 2)));
        Assert.Equal("c", error.ParamName);
        Assert.Contains("bias", error.Message);
    }

    [Fact]
    public void ViewsRejectStridesBelowTheColumnCountAndShortSpans()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReadOnlyMatrixSpan(new float[10], 2, 4, 3));
        var error = Assert.Throws<ArgumentException>(() => new MatrixSpan(new float[10], 3, 4, 4));
        Assert.Contains("12", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MatrixSpan(new float[10], 0, 4));
    }

    /// <summary>
    /// Both packing routes, through every branch: whole panels and a remainder panel, with and without a strided
    /// source; for the transposed route, whole 8×8 blocks (transposed in registers with AVX, also into a remainder panel
    /// whose rows are not 64 floats apart), a depth past a multiple of 8 and past the 64-deep blocks, and a partial group
    /// of 8 columns. Every element must be the source's at the documented place, in a pack whose storage held NaN
    /// before, and the read slack after the K·N floats is never written.
    /// </summary>
    [Theory]
    [InlineData(7, 70, 70)]
    [InlineData(70, 150, 160)]
    [InlineData(150, 70, 70)]
    [InlineData(9, 8, 8)]
    [InlineData(1, 1, 1)]
    [InlineData(64, 64, 80)]
    public unsafe void PacksHoldExactlyTheSourceInTheDocumentedLayoutAndNothingElse(int rows, int columns, int stride)
    {
        var random = new Random(rows * 1000 + columns);
        float[] source = Enumerable.Range(0, rows * stride).Select(_ => (float)random.NextDouble() + 1f).ToArray();
        var view = new ReadOnlyMatrixSpan(source, rows, columns, stride);
        foreach (bool transposed in new[] { false, true })
        {
            int k = transposed ? columns : rows, n = transposed ? rows : columns;
            // A pack whose storage holds NaN everywhere first, so an element the packing skips shows; the K·N floats of
            // the layout are written, and the slack after them is not.
            var pack = new PackedMatrix(k, n);
            const int slack = PackedMatrix.ReadSlackFloats;
            new Span<float>(pack.Pointer, k * n + slack).Fill(float.NaN);
            if (transposed) pack.PackTransposed(view);
            else pack.Pack(view);
            int fullPanels = n / PackedMatrix.PanelWidth, remainder = n % PackedMatrix.PanelWidth;
            for (int j = 0; j < n; j++)
            {
                int panel = j / PackedMatrix.PanelWidth, lane = j % PackedMatrix.PanelWidth;
                // Full panels: k rows of 64 floats; the remainder panel after them: k rows of exactly n mod 64 floats.
                int rowStride = panel < fullPanels ? PackedMatrix.PanelWidth : remainder;
                for (int depth = 0; depth < k; depth++)
                {
                    float expected = transposed ? source[j * stride + depth] : source[depth * stride + j];
                    float actual = pack.Pointer[panel * k * PackedMatrix.PanelWidth + depth * rowStride + lane];
                    Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
                        $"{(transposed ? "transposed" : "plain")} pack of {rows}×{columns}: column {j}, depth {depth} holds {actual}, expected {expected}");
                }
            }

            for (int i = 0; i < slack; i++) Assert.True(float.IsNaN(pack.Pointer[k * n + i]), $"slack float {i} was written");
            GC.KeepAlive(pack);
        }
    }

    /// <summary>
    /// One pack written as two row ranges (the model's stacked [Wxh ; Whh]) holds what one pack of the stacked source
    /// holds, and a view of either range reads its factor: the lower range never overwrites the upper one.
    /// </summary>
    [Theory]
    [InlineData(3, 5, 70)]
    [InlineData(1, 16, 16)]
    [InlineData(40, 130, 130)]
    [InlineData(7, 9, 2)]
    public unsafe void AStackedPackWrittenInTwoRangesEqualsOnePackOfTheStackedMatrix(int upperRows, int lowerRows, int columns)
    {
        var random = new Random(upperRows * 31 + lowerRows * 7 + columns);
        int rows = upperRows + lowerRows;
        float[] source = Enumerable.Range(0, rows * columns).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var whole = PackedMatrix.From(new ReadOnlyMatrixSpan(source, rows, columns));
        var stacked = new PackedMatrix(rows, columns);
        // The lower range first: the upper range's writes must stop at its own last row.
        stacked.PackRows(upperRows, new ReadOnlyMatrixSpan(source.AsSpan(upperRows * columns), lowerRows, columns));
        stacked.PackRows(0, new ReadOnlyMatrixSpan(source, upperRows, columns));
        PackedPanels lower = stacked.RowRange(upperRows, lowerRows);
        for (int k = 0; k < rows; k++)
        {
            for (int j = 0; j < columns; j++)
            {
                Assert.Equal(whole[k, j], stacked[k, j]);
                if (k >= upperRows) Assert.Equal(source[k * columns + j], *lower.Element(k - upperRows, j));
            }
        }

        GC.KeepAlive(stacked);
    }

    [Fact]
    public void PacksHoldExactlyTheSourceAndRejectTheWrongShape()
    {
        var random = new Random(5);
        float[] source = Enumerable.Range(0, 7 * 70).Select(_ => (float)random.NextDouble()).ToArray();
        var packed = PackedMatrix.From(new ReadOnlyMatrixSpan(source, 7, 70));
        var transposed = PackedMatrix.FromTransposed(new ReadOnlyMatrixSpan(source, 7, 70));
        Assert.Equal((7, 70, 2), (packed.Rows, packed.Columns, packed.PanelCount));
        Assert.Equal((70, 7), (transposed.Rows, transposed.Columns));
        for (int k = 0; k < 7; k++)
        {
            for (int j = 0; j < 70; j++)
            {
                Assert.Equal(source[k * 70 + j], packed[k, j]);
                Assert.Equal(source[k * 70 + j], transposed[j, k]);
            }
        }

        Assert.Throws<ArgumentException>(() => packed.Pack(new ReadOnlyMatrixSpan(source, 70, 7)));
        Assert.Throws<ArgumentOutOfRangeException>(() => packed[7, 0]);
    }

    [Fact]
    public void AfterWarmUpNoCallAllocates()
    {
        const int m = 33, n = 130, k = 300;
        float[] a = new float[m * k], b = new float[k * n], bt = new float[n * k], at = new float[k * m], c = new float[m * n], bias = new float[n];
        var packed = PackedMatrix.From(new ReadOnlyMatrixSpan(b, k, n));
        void All()
        {
            MatrixMultiply.Multiply(new ReadOnlyMatrixSpan(a, m, k), new ReadOnlyMatrixSpan(b, k, n), new MatrixSpan(c, m, n));
            MatrixMultiply.MultiplyAdd(new ReadOnlyMatrixSpan(a, m, k), packed, new MatrixSpan(c, m, n));
            MatrixMultiply.MultiplyAdd(new ReadOnlyMatrixSpan(a.AsSpan(0, k), 1, k), packed, new MatrixSpan(c.AsSpan(0, n), 1, n));
            MatrixMultiply.TransposeMultiplyAdd(new ReadOnlyMatrixSpan(at, k, m), new ReadOnlyMatrixSpan(b, k, n), new MatrixSpan(c, m, n));
            MatrixMultiply.MultiplyWithBias(new ReadOnlyMatrixSpan(a, m, k), packed, bias, new MatrixSpan(c, m, n));
            MatrixMultiply.MultiplyWithBias(new ReadOnlyMatrixSpan(a, m, k), new ReadOnlyMatrixSpan(b, k, n), bias, new MatrixSpan(c, m, n));
            MatrixMultiply.MultiplyWithBias(new ReadOnlyMatrixSpan(a.AsSpan(0, k), 1, k), packed, bias, new MatrixSpan(c.AsSpan(0, n), 1, n));
            packed.Pack(new ReadOnlyMatrixSpan(b, k, n));
            packed.PackTransposed(new ReadOnlyMatrixSpan(bt, n, k));
        }

        All();
        AllocationAssert.AllocatesNothing(All, "every product");
    }

    private static void CheckOperation(GemmCase c, Operation operation)
    {
        int m = c.M, n = c.N, k = c.K;
        bool transposeA = operation == Operation.TransposeMultiplyAdd;
        bool withBias = operation is Operation.MultiplyWithBias or Operation.MultiplyPackedWithBias;
        bool accumulate = operation is not (Operation.Multiply or Operation.MultiplyPacked) && !withBias;
        bool packed = operation is Operation.MultiplyPacked or Operation.MultiplyAddPacked or Operation.MultiplyPackedWithBias;

        // A stored M×K (or K×M when transposed), B stored K×N, each row padded to test strides.
        int aRows = transposeA ? k : m, aColumns = transposeA ? m : k, aStride = aColumns + c.PadA;
        int bRows = k, bColumns = n, bStride = bColumns + c.PadB;
        int cStride = n + c.PadC;
        float[] a = c.Values((aRows - 1) * aStride + aColumns, 0);
        float[] b = c.Values((bRows - 1) * bStride + bColumns, 1);
        float[] c0 = c.Values((m - 1) * cStride + n, 2);
        float[] bias = c.Values(n, 3);
        float A(int i, int kk) => transposeA ? a[kk * aStride + i] : a[i * aStride + kk];
        float B(int kk, int j) => b[kk * bStride + j];

        double gamma = Gamma(k);
        float[]? first = null;
        InstructionSet firstPath = default;
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            float[] result = accumulate ? (float[])c0.Clone() : Enumerable.Repeat(float.NaN, c0.Length).ToArray();
            var av = new ReadOnlyMatrixSpan(a, aRows, aColumns, aStride);
            var bv = new ReadOnlyMatrixSpan(b, bRows, bColumns, bStride);
            var cv = new MatrixSpan(result, m, n, cStride);
            switch (operation)
            {
                case Operation.Multiply or Operation.MultiplyAdd:
                    MatrixMultiply.Multiply(av, bv, cv, accumulate, path);
                    break;
                case Operation.MultiplyPacked or Operation.MultiplyAddPacked:
                    MatrixMultiply.Multiply(av, PackedMatrix.From(bv), cv, accumulate, path);
                    break;
                case Operation.TransposeMultiplyAdd:
                    MatrixMultiply.TransposeMultiplyAdd(av, bv, cv, path);
                    break;
                case Operation.MultiplyWithBias:
                    MatrixMultiply.MultiplyWithBias(av, bv, bias, cv, path);
                    break;
                case Operation.MultiplyPackedWithBias:
                    MatrixMultiply.MultiplyWithBias(av, PackedMatrix.From(bv), bias, cv, path);
                    break;
            }

            if (withBias)
            {
                // The defining identity: the same bits as the bias copied into every row of C, then C += A·B.
                float[] copied = Enumerable.Repeat(float.NaN, c0.Length).ToArray();
                for (int i = 0; i < m; i++) bias.CopyTo(copied, i * cStride);
                var copiedView = new MatrixSpan(copied, m, n, cStride);
                if (packed) MatrixMultiply.Multiply(av, PackedMatrix.From(bv), copiedView, accumulate: true, path);
                else MatrixMultiply.Multiply(av, bv, copiedView, accumulate: true, path);
                AssertBits(copied, result, $"{operation} on {path} against the bias copied into C, then MultiplyAdd, {c}");
            }

            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double start = accumulate ? c0[i * cStride + j] : withBias ? bias[j] : 0, exact = start, magnitude = Math.Abs(start);
                    for (int kk = 0; kk < k; kk++)
                    {
                        double term = (double)A(i, kk) * B(kk, j);
                        exact += term;
                        magnitude += Math.Abs(term);
                    }

                    double error = Math.Abs(result[i * cStride + j] - exact);
                    if (!(error <= gamma * magnitude))
                    {
                        Assert.Fail($"{operation} on {path}, {c}: C[{i},{j}] = {result[i * cStride + j]:R}, exact {exact:R}, error {error:E3} > γ_K·Σ|terms| = {gamma * magnitude:E3}");
                    }
                }
            }

            if (first is null)
            {
                first = result;
                firstPath = path;
            }
            else
            {
                AssertBits(first, result, $"{operation}: {path} against {firstPath}, {c}");
            }
        }
        _ = packed;
    }

    /// <summary>γ_K = K·u/(1 − K·u) with u = 2⁻²⁴, the unit roundoff of float.</summary>
    private static double Gamma(int k)
    {
        double u = Math.ScaleB(1, -24);
        return k * u / (1 - k * u);
    }

    private static void AssertBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string context)
    {
        for (int i = 0; i < actual.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{context}: element {i} is {actual[i]:R}, expected the bits of {expected[i]:R}");
            }
        }
    }
}
