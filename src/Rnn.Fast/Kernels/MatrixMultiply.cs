using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Rnn.Fast.Kernels;

/// <summary>
/// The GEMM family an RNN's forward and backward passes need, on row-major float matrices with strides:
/// C = A·B, C += A·B, C += Aᵀ·B and C += A·Bᵀ, with B either a plain matrix or a <see cref="PackedMatrix"/>.
/// </summary>
/// <remarks>
/// <para>Reproducibility: every element of C is ONE chain of fused multiply-adds,
/// c ← fma(a_ik, b_kj, c) for k = 0, 1, …, K − 1, starting from the element's value in C (the "Add" forms) or from
/// +0. Every instruction-set path, blocking, batch size and position of a row in the batch computes that same
/// chain, so results are bit-identical across all of them. A chain that starts from a bias stored in C and then
/// runs over two products (C += X·Wxh, then C += H·Whh) equals one chain over the concatenated depth.</para>
/// <para>Error: each element's chain of K fused multiply-adds (K roundings) satisfies
/// |ĉ − c| ≤ γ_K·(|c₀| + Σ_k |a_ik·b_kj|) with γ_K = K·u/(1 − K·u), u = 2⁻²⁴.</para>
/// <para>Sizes: every dimension (M, N, K) is at most <see cref="KernelArguments.MaxDimension"/> (int.MaxValue − 1023),
/// or the call throws <see cref="ArgumentOutOfRangeException"/> before touching memory; sizes are computed in 64-bit
/// arithmetic, and under that limit no loop counter or rounding of the drivers can overflow int.</para>
/// <para>Allocation: none per call after a thread's first call (a per-thread buffer for packing up to 1024 rows of
/// a plain B is allocated once and grows only for a wider B; products with a <see cref="PackedMatrix"/> never need
/// it). C must not overlap A
/// or B. Safe to call from many threads at once on distinct C.</para>
/// </remarks>
internal static unsafe class MatrixMultiply
{
    /// <summary>Per-thread buffer for packing one depth block of a plain B; grows to the widest B seen on the thread, pinned.</summary>
    [ThreadStatic]
    private static float[]? s_packedColumns;

    /// <summary>C = A·B, where A is M×K, B is K×N and C is M×N.</summary>
    /// <param name="a">A, M×K.</param>
    /// <param name="b">B, K×N.</param>
    /// <param name="c">C, M×N; overwritten.</param>
    /// <exception cref="ArgumentException">The shapes do not agree, or C overlaps A or B.</exception>
    public static void Multiply(ReadOnlyMatrixSpan a, ReadOnlyMatrixSpan b, MatrixSpan c) =>
        Multiply(a, b, c, accumulate: false, KernelDispatch.Active);

    /// <summary>C += A·B, where A is M×K, B is K×N and C is M×N; each element's chain starts from its value in C.</summary>
    /// <param name="a">A, M×K.</param>
    /// <param name="b">B, K×N.</param>
    /// <param name="c">C, M×N; accumulated into.</param>
    /// <exception cref="ArgumentException">The shapes do not agree, or C overlaps A or B.</exception>
    public static void MultiplyAdd(ReadOnlyMatrixSpan a, ReadOnlyMatrixSpan b, MatrixSpan c) =>
        Multiply(a, b, c, accumulate: true, KernelDispatch.Active);

    /// <summary>C = A·B with B packed (K×N).</summary>
    /// <param name="a">A, M×K.</param>
    /// <param name="b">B, packed, K×N.</param>
    /// <param name="c">C, M×N; overwritten.</param>
    /// <exception cref="ArgumentException">The shapes do not agree.</exception>
    public static void Multiply(ReadOnlyMatrixSpan a, PackedMatrix b, MatrixSpan c) =>
        Multiply(a, b, c, accumulate: false, KernelDispatch.Active);

    /// <summary>C += A·B with B packed (K×N); each element's chain starts from its value in C.</summary>
    /// <param name="a">A, M×K.</param>
    /// <param name="b">B, packed, K×N.</param>
    /// <param name="c">C, M×N; accumulated into.</param>
    /// <exception cref="ArgumentException">The shapes do not agree.</exception>
    public static void MultiplyAdd(ReadOnlyMatrixSpan a, PackedMatrix b, MatrixSpan c) =>
        Multiply(a, b, c, accumulate: true, KernelDispatch.Active);

    /// <summary>
    /// C = bias + A·B with B packed (K×N): row i of C is the bias plus row i of A·B, and each element's chain starts
    /// from bias[j] (an RNN's pre-activations over all time steps: A_all = bh + X_all·Wxh).
    /// </summary>
    /// <remarks>
    /// The same bits as copying the bias into every row of C and calling
    /// <see cref="MultiplyAdd(ReadOnlyMatrixSpan, PackedMatrix, MatrixSpan)"/>, without reading C: each register
    /// tile starts from the bias row instead of loading its part of C, so a C larger than the caches is only written.
    /// </remarks>
    /// <param name="a">A, M×K.</param>
    /// <param name="b">B, packed, K×N.</param>
    /// <param name="bias">N values, the start of every row.</param>
    /// <param name="c">C, M×N; overwritten.</param>
    /// <exception cref="ArgumentException">The shapes do not agree, the bias does not have N values, or C overlaps A or the bias.</exception>
    public static void MultiplyWithBias(ReadOnlyMatrixSpan a, PackedMatrix b, ReadOnlySpan<float> bias, MatrixSpan c) =>
        MultiplyWithBias(a, b, bias, c, KernelDispatch.Active);

    /// <summary>C = bias + A·B, where A is M×K, B is K×N and C is M×N; each element's chain starts from bias[j].</summary>
    /// <remarks>The same bits as copying the bias into every row of C and calling <see cref="MultiplyAdd(ReadOnlyMatrixSpan, ReadOnlyMatrixSpan, MatrixSpan)"/>.</remarks>
    /// <param name="a">A, M×K.</param>
    /// <param name="b">B, K×N.</param>
    /// <param name="bias">N values, the start of every row.</param>
    /// <param name="c">C, M×N; overwritten.</param>
    /// <exception cref="ArgumentException">The shapes do not agree, the bias does not have N values, or C overlaps A, B or the bias.</exception>
    public static void MultiplyWithBias(ReadOnlyMatrixSpan a, ReadOnlyMatrixSpan b, ReadOnlySpan<float> bias, MatrixSpan c) =>
        MultiplyWithBias(a, b, bias, c, KernelDispatch.Active);

    /// <summary>C += Aᵀ·B, where A is K×M, B is K×N and C is M×N (weight gradients: dW = Xᵀ·dA).</summary>
    /// <param name="a">A, K×M; its transpose is the left factor.</param>
    /// <param name="b">B, K×N.</param>
    /// <param name="c">C, M×N; accumulated into.</param>
    /// <exception cref="ArgumentException">The shapes do not agree, or C overlaps A or B.</exception>
    public static void TransposeMultiplyAdd(ReadOnlyMatrixSpan a, ReadOnlyMatrixSpan b, MatrixSpan c) =>
        TransposeMultiplyAdd(a, b, c, KernelDispatch.Active);

    internal static void Multiply(ReadOnlyMatrixSpan a, ReadOnlyMatrixSpan b, MatrixSpan c, bool accumulate, InstructionSet path)
    {
        CheckProduct(a.Rows, a.Columns, nameof(a), b.Rows, b.Columns, nameof(b), c);
        CheckDisjoint(a.Data, nameof(a), c.Data);
        CheckDisjoint(b.Data, nameof(b), c.Data);
        KernelDispatch.ThrowIfUnsupported(path);
        fixed (float* pb = b.Data)
        {
            RunPlainB(a, transposeA: false, pb, b.Stride, 1, b.Rows, b.Columns, c, accumulate, path);
        }
    }

    /// <summary>
    /// C (+)= A·B on <paramref name="path"/>. <paramref name="reversePanels"/> runs the panels last to first: the same
    /// bits in either order.
    /// </summary>
    internal static void Multiply(ReadOnlyMatrixSpan a, PackedMatrix b, MatrixSpan c, bool accumulate, InstructionSet path,
        bool reversePanels = false)
    {
        ArgumentNullException.ThrowIfNull(b);
        CheckProduct(a.Rows, a.Columns, nameof(a), b.Rows, b.Columns, nameof(b), c);
        CheckDisjoint(a.Data, nameof(a), c.Data);
        KernelDispatch.ThrowIfUnsupported(path);
        Run(a, transposeA: false, b.Panels, c, accumulate, path, reversePanels: reversePanels);
        // The kernels read the pack through a raw pointer: without this, a pack that only this call references
        // (Multiply(a, PackedMatrix.From(b), c)) may be collected, and its pinned storage freed, mid-product.
        GC.KeepAlive(b);
    }

    internal static void MultiplyWithBias(ReadOnlyMatrixSpan a, PackedMatrix b, ReadOnlySpan<float> bias, MatrixSpan c, InstructionSet path)
    {
        ArgumentNullException.ThrowIfNull(b);
        CheckProduct(a.Rows, a.Columns, nameof(a), b.Rows, b.Columns, nameof(b), c);
        CheckBias(bias, c);
        CheckDisjoint(a.Data, nameof(a), c.Data);
        KernelDispatch.ThrowIfUnsupported(path);
        fixed (float* pbias = bias)
        {
            Run(a, transposeA: false, b.Panels, c, accumulate: false, path, pbias);
        }

        GC.KeepAlive(b);
    }

    internal static void MultiplyWithBias(ReadOnlyMatrixSpan a, ReadOnlyMatrixSpan b, ReadOnlySpan<float> bias, MatrixSpan c, InstructionSet path)
    {
        CheckProduct(a.Rows, a.Columns, nameof(a), b.Rows, b.Columns, nameof(b), c);
        CheckBias(bias, c);
        CheckDisjoint(a.Data, nameof(a), c.Data);
        CheckDisjoint(b.Data, nameof(b), c.Data);
        KernelDispatch.ThrowIfUnsupported(path);
        fixed (float* pb = b.Data)
        fixed (float* pbias = bias)
        {
            RunPlainB(a, transposeA: false, pb, b.Stride, 1, b.Rows, b.Columns, c, accumulate: false, path, pbias);
        }
    }

    internal static void TransposeMultiplyAdd(ReadOnlyMatrixSpan a, ReadOnlyMatrixSpan b, MatrixSpan c, InstructionSet path)
    {
        CheckProduct(a.Columns, a.Rows, nameof(a) + "ᵀ", b.Rows, b.Columns, nameof(b), c);
        CheckDisjoint(a.Data, nameof(a), c.Data);
        CheckDisjoint(b.Data, nameof(b), c.Data);
        KernelDispatch.ThrowIfUnsupported(path);
        fixed (float* pb = b.Data)
        {
            RunPlainB(a, transposeA: true, pb, b.Stride, 1, b.Rows, b.Columns, c, accumulate: true, path);
        }
    }

    private static void Run(ReadOnlyMatrixSpan a, bool transposeA, PackedPanels packedB, MatrixSpan c, bool accumulate,
        InstructionSet path, float* bias = null, bool reversePanels = false)
    {
        fixed (float* pa = a.Data)
        fixed (float* pc = c.Data)
        {
            // A's element (i, k): a[i·stride + k] plainly, a[k·stride + i] when A is stored transposed.
            nint rowStride = transposeA ? 1 : a.Stride;
            nint depthStride = transposeA ? a.Stride : 1;
            float* initial = accumulate ? pc : bias;
            nint initialStride = accumulate ? c.Stride : 0;
            GemmDriver.Run<StoreSum>(path, pa, rowStride, depthStride, packedB, pc, c.Stride, c.Rows, packedB.Rows, initial, initialStride,
                reversePanels: reversePanels);
        }
    }

    /// <summary>
    /// A product with a plain B (element (k, j) at b[k·rowStride + j·columnStride], K×N): B is packed and multiplied
    /// one depth block of the path's tiles (<see cref="GemmDriver.DepthBlockFor"/>: 1024 rows with AVX-512, 256 otherwise)
    /// at a time, so the per-thread pack holds at most 1024×N floats (4 MiB at N = 1024) instead of all K×N. B's rows in
    /// place (columnStride = 1) are packed by the first tile over each panel as it reads them, not in a pass of their
    /// own. Each block continues every element's chain from the value the previous block stored in C, exactly as the
    /// driver's own depth blocking does, so the bits are those of one pass over the whole depth.
    /// </summary>
    private static void RunPlainB(ReadOnlyMatrixSpan a, bool transposeA, float* b, nint rowStride, nint columnStride,
        int depth, int columns, MatrixSpan c, bool accumulate, InstructionSet path, float* bias = null)
    {
        fixed (float* pa = a.Data)
        fixed (float* pc = c.Data)
        {
            // A's element (i, k): a[i·stride + k] plainly, a[k·stride + i] when A is stored transposed.
            nint aRowStride = transposeA ? 1 : a.Stride;
            nint aDepthStride = transposeA ? a.Stride : 1;
            RunPlainB(pa, aRowStride, aDepthStride, b, rowStride, columnStride, depth, columns, pc, c.Stride, c.Rows, accumulate, path, bias);
        }
    }

    /// <summary>
    /// C (m×N) (+)= A·B with a plain B, on pointers and without checks (see the span form above): for the engine, whose
    /// public entry points checked the shapes. A's element (i, k) is at a[i·aRowStride + k·aDepthStride]. With
    /// <paramref name="degree"/> above 1, each depth block's product may be split across threads (the per-thread pack buffer
    /// is the caller's: the parts write disjoint panels of it).
    /// </summary>
    internal static void RunPlainB(float* pa, nint aRowStride, nint aDepthStride, float* b, nint rowStride, nint columnStride,
        int depth, int columns, float* pc, nint ldc, int m, bool accumulate, InstructionSet path, float* bias = null, int degree = 1,
        long minimumWork = GemmDriver.ParallelMinimumWork)
    {
        int blockDepth = Math.Min(depth, GemmDriver.DepthBlockFor(path));
        float* packed = PackScratch(blockDepth, columns);
        for (int k0 = 0; k0 < depth; k0 += blockDepth)
        {
            int kc = Math.Min(blockDepth, depth - k0);
            var panels = new PackedPanels(packed, kc, 0, kc, columns);
            // Rows of B in place are packed by the tiles that first read them (see GemmDriver.Run); B's columns
            // in place (B = Wᵀ) need the transposing pack first.
            float* block = b + k0 * rowStride;
            // A B of one panel is packed first, whole, so the product takes the driver's one-panel path (no blocking
            // loops): there is no second row block whose tiles the in-tile packing would save a pass for.
            bool rowsInPlace = columnStride == 1 && columns > PackedMatrix.PanelWidth;
            if (!rowsInPlace) GemmPacking.PackPanels(block, rowStride, columnStride, kc, columns, panels);
            bool continues = accumulate || k0 > 0;
            // Split across threads by panels (see GemmDriver.RunParallel): each part packs the panels it multiplies.
            GemmDriver.RunParallel<StoreSum>(degree, path, pa + k0 * aDepthStride, aRowStride, aDepthStride, panels, pc, ldc, m, kc,
                continues ? pc : bias, continues ? ldc : 0, plainB: rowsInPlace ? block : null, plainBStride: rowStride, minimumWork: minimumWork);
        }
    }

    /// <summary>
    /// The floats of the packing buffer for <paramref name="rows"/> rows of an N-column operand: a pack's storage
    /// (<see cref="PackedMatrix.StorageLength"/>, in 64-bit arithmetic, its slack for the 64-byte alignment and the tiles'
    /// reads past a remainder panel included).
    /// </summary>
    internal static long PackScratchLength(int rows, int columns) => PackedMatrix.StorageLength(rows, columns);

    /// <summary>This thread's packing buffer for <paramref name="rows"/> rows of an N-column operand, grown when needed.</summary>
    private static float* PackScratch(int rows, int columns)
    {
        long length = PackScratchLength(rows, columns);
        if (length > Array.MaxLength)
        {
            throw new ArgumentException($"Packing a {rows}×{columns} operand needs {length} floats, more than one array holds.", "b");
        }

        if (s_packedColumns is null || s_packedColumns.Length < length)
        {
            s_packedColumns = GC.AllocateUninitializedArray<float>((int)length, pinned: true);
        }

        float* p = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(s_packedColumns));
        return (float*)(((nint)p + 63) & ~(nint)63);
    }

    private static void CheckProduct(int leftRows, int leftColumns, string leftName, int rightRows, int rightColumns,
        string rightName, MatrixSpan c)
    {
        // One check at the boundary: under the limit, no loop counter or rounding of the drivers can overflow. The left
        // factor is always the argument a (A or Aᵀ); the names are constants, so a passing check allocates nothing.
        KernelArguments.ThrowIfTooLargeForLoops(leftRows, "M (the rows of C)", "a");
        KernelArguments.ThrowIfTooLargeForLoops(leftColumns, "K (the depth of the product)", "a");
        KernelArguments.ThrowIfTooLargeForLoops(rightColumns, "N (the columns of C)", rightName);
        if (leftColumns != rightRows)
        {
            throw new ArgumentException(
                $"The inner dimensions must agree: {leftName} is {leftRows}×{leftColumns}, so {rightName} must have {leftColumns} rows, but it has {rightRows}.",
                rightName.TrimEnd('ᵀ'));
        }

        if (c.Rows != leftRows || c.Columns != rightColumns)
        {
            throw new ArgumentException(
                $"C must be {leftRows}×{rightColumns} ({leftName} is {leftRows}×{leftColumns}, {rightName} is {rightRows}×{rightColumns}), but it is {c.Rows}×{c.Columns}.",
                nameof(c));
        }
    }

    private static void CheckBias(ReadOnlySpan<float> bias, MatrixSpan c)
    {
        if (bias.Length != c.Columns)
        {
            throw new ArgumentException($"The bias must hold one value per column of C ({c.Columns}), but it holds {bias.Length}.", nameof(bias));
        }

        CheckDisjoint(bias, nameof(bias), c.Data);
    }

    private static void CheckDisjoint(ReadOnlySpan<float> input, string inputName, ReadOnlySpan<float> output)
    {
        if (input.Overlaps(output))
        {
            throw new ArgumentException($"C must not overlap {inputName}: the product reads {inputName} while it writes C.", "c");
        }
    }
}
