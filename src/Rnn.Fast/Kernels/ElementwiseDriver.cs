using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Rnn.Fast.Kernels;

/// <summary>
/// Loop drivers for <see cref="IUnaryOperator"/> and <see cref="IBinaryOperator"/> on every instruction-set path.
/// </summary>
/// <remarks>
/// Every element goes through the same vector <c>Invoke</c>, whatever its position. A span of at least one vector
/// runs as: the first and the last full vectors are computed from the inputs before anything is stored; the body
/// starts at the first vector-aligned destination address (stores that split cache lines cost about twice as
/// much) and its last vector may overlap the last one; then the first and last vectors are stored. Elements in an
/// overlap are written twice with the same bits, and every value is computed from the original inputs, so this is
/// correct in place too (TensorPrimitives' scheme). The 256- and 512-bit bodies load four vectors, then compute
/// them, then store them, so no load waits right behind the previous stores. A span shorter than one vector is copied into a zero-padded
/// stack buffer, run through the same vector <c>Invoke</c>, and copied back. Callers check lengths; a destination may be the
/// very same span as an input (in place) but must not otherwise overlap one. The loops are compiled optimized at their
/// first call (<c>AggressiveOptimization</c>), with the operator's <c>Invoke</c> inlined, for the reason given in
/// <see cref="GemmDriver"/>'s remarks: tier-0 code at the start of an app's streaming steps.
/// </remarks>
internal static unsafe class ElementwiseDriver
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Unary<TOperator>(TOperator op, ReadOnlySpan<float> x, Span<float> destination, InstructionSet instructionSet)
        where TOperator : struct, IUnaryOperator
    {
        int length = x.Length;
        fixed (float* px = &MemoryMarshal.GetReference(x))
        fixed (float* pd = &MemoryMarshal.GetReference(destination))
        {
            switch (instructionSet)
            {
                case InstructionSet.Avx512: Unary512(op, px, pd, length); break;
                case InstructionSet.Avx2: Unary256(op, px, pd, length); break;
                case InstructionSet.Portable: Unary128(op, px, pd, length); break;
                default: UnaryScalar(op, px, pd, length); break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Binary<TOperator>(TOperator op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination, InstructionSet instructionSet)
        where TOperator : struct, IBinaryOperator
    {
        int length = x.Length;
        fixed (float* px = &MemoryMarshal.GetReference(x))
        fixed (float* py = &MemoryMarshal.GetReference(y))
        fixed (float* pd = &MemoryMarshal.GetReference(destination))
        {
            Binary(op, px, py, pd, length, instructionSet);
        }
    }

    /// <summary>The pointer form, for matrix kernels that run the driver once per row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Binary<TOperator>(TOperator op, float* px, float* py, float* pd, int length, InstructionSet instructionSet)
        where TOperator : struct, IBinaryOperator
    {
        switch (instructionSet)
        {
            case InstructionSet.Avx512: Binary512(op, px, py, pd, length); break;
            case InstructionSet.Avx2: Binary256(op, px, py, pd, length); break;
            case InstructionSet.Portable: Binary128(op, px, py, pd, length); break;
            default: BinaryScalar(op, px, py, pd, length); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UnaryScalar<TOperator>(TOperator op, float* px, float* pd, int length)
        where TOperator : struct, IUnaryOperator
    {
        for (int i = 0; i < length; i++) pd[i] = op.Invoke(px[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BinaryScalar<TOperator>(TOperator op, float* px, float* py, float* pd, int length)
        where TOperator : struct, IBinaryOperator
    {
        for (int i = 0; i < length; i++) pd[i] = op.Invoke(px[i], py[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Unary128<TOperator>(TOperator op, float* px, float* pd, int length)
        where TOperator : struct, IUnaryOperator
    {
        const int Width = 4;
        if (length < Width)
        {
            UnaryPartial128(op, px, pd, length);
            return;
        }
        // First and last vectors, computed before anything is stored (see the remarks).
        Vector128<float> first = op.Invoke(Vector128.Load(px + 0));
        Vector128<float> last = op.Invoke(Vector128.Load(px + length - Width));
        int end = length - Width;
        int i = AlignedStart(pd, Width);
        for (; i < end; i += Width)
        {
            Vector128.Store(op.Invoke(Vector128.Load(px + i)), pd + i);
        }
        Vector128.Store(first, pd);
        Vector128.Store(last, pd + end);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UnaryPartial128<TOperator>(TOperator op, float* px, float* pd, int length)
        where TOperator : struct, IUnaryOperator
    {
        Vector128<float> bx = Vector128<float>.Zero;
        Copy(px, (float*)&bx, length);
        Vector128<float> result = op.Invoke(bx);
        Copy((float*)&result, pd, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Unary256<TOperator>(TOperator op, float* px, float* pd, int length)
        where TOperator : struct, IUnaryOperator
    {
        const int Width = 8;
        if (length < Width)
        {
            UnaryPartial256(op, px, pd, length);
            return;
        }
        // First and last vectors, computed before anything is stored (see the remarks).
        Vector256<float> first = op.Invoke(Vector256.Load(px + 0));
        Vector256<float> last = op.Invoke(Vector256.Load(px + length - Width));
        int end = length - Width;
        int i = AlignedStart(pd, Width);
        for (; i <= end - 4 * Width; i += 4 * Width)
        {
            Vector256<float> x0 = Vector256.Load(px + i);
            Vector256<float> x1 = Vector256.Load(px + i + Width);
            Vector256<float> x2 = Vector256.Load(px + i + 2 * Width);
            Vector256<float> x3 = Vector256.Load(px + i + 3 * Width);
            Vector256<float> a = op.Invoke(x0);
            Vector256<float> b = op.Invoke(x1);
            Vector256<float> c = op.Invoke(x2);
            Vector256<float> d = op.Invoke(x3);
            Vector256.Store(a, pd + i);
            Vector256.Store(b, pd + i + Width);
            Vector256.Store(c, pd + i + 2 * Width);
            Vector256.Store(d, pd + i + 3 * Width);
        }
        for (; i < end; i += Width)
        {
            Vector256.Store(op.Invoke(Vector256.Load(px + i)), pd + i);
        }
        Vector256.Store(first, pd);
        Vector256.Store(last, pd + end);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UnaryPartial256<TOperator>(TOperator op, float* px, float* pd, int length)
        where TOperator : struct, IUnaryOperator
    {
        Vector256<float> bx = Vector256<float>.Zero;
        Copy(px, (float*)&bx, length);
        Vector256<float> result = op.Invoke(bx);
        Copy((float*)&result, pd, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Unary512<TOperator>(TOperator op, float* px, float* pd, int length)
        where TOperator : struct, IUnaryOperator
    {
        const int Width = 16;
        if (length < Width)
        {
            UnaryPartial512(op, px, pd, length);
            return;
        }
        // First and last vectors, computed before anything is stored (see the remarks).
        Vector512<float> first = op.Invoke(Vector512.Load(px + 0));
        Vector512<float> last = op.Invoke(Vector512.Load(px + length - Width));
        int end = length - Width;
        int i = AlignedStart(pd, Width);
        for (; i <= end - 4 * Width; i += 4 * Width)
        {
            Vector512<float> x0 = Vector512.Load(px + i);
            Vector512<float> x1 = Vector512.Load(px + i + Width);
            Vector512<float> x2 = Vector512.Load(px + i + 2 * Width);
            Vector512<float> x3 = Vector512.Load(px + i + 3 * Width);
            Vector512<float> a = op.Invoke(x0);
            Vector512<float> b = op.Invoke(x1);
            Vector512<float> c = op.Invoke(x2);
            Vector512<float> d = op.Invoke(x3);
            Vector512.Store(a, pd + i);
            Vector512.Store(b, pd + i + Width);
            Vector512.Store(c, pd + i + 2 * Width);
            Vector512.Store(d, pd + i + 3 * Width);
        }
        for (; i < end; i += Width)
        {
            Vector512.Store(op.Invoke(Vector512.Load(px + i)), pd + i);
        }
        Vector512.Store(first, pd);
        Vector512.Store(last, pd + end);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UnaryPartial512<TOperator>(TOperator op, float* px, float* pd, int length)
        where TOperator : struct, IUnaryOperator
    {
        Vector512<float> bx = Vector512<float>.Zero;
        Copy(px, (float*)&bx, length);
        Vector512<float> result = op.Invoke(bx);
        Copy((float*)&result, pd, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Binary128<TOperator>(TOperator op, float* px, float* py, float* pd, int length)
        where TOperator : struct, IBinaryOperator
    {
        const int Width = 4;
        if (length < Width)
        {
            BinaryPartial128(op, px, py, pd, length);
            return;
        }
        // First and last vectors, computed before anything is stored (see the remarks).
        Vector128<float> first = op.Invoke(Vector128.Load(px + 0), Vector128.Load(py + 0));
        Vector128<float> last = op.Invoke(Vector128.Load(px + length - Width), Vector128.Load(py + length - Width));
        int end = length - Width;
        int i = AlignedStart(pd, Width);
        for (; i < end; i += Width)
        {
            Vector128.Store(op.Invoke(Vector128.Load(px + i), Vector128.Load(py + i)), pd + i);
        }
        Vector128.Store(first, pd);
        Vector128.Store(last, pd + end);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BinaryPartial128<TOperator>(TOperator op, float* px, float* py, float* pd, int length)
        where TOperator : struct, IBinaryOperator
    {
        Vector128<float> bx = Vector128<float>.Zero;
        Copy(px, (float*)&bx, length);
        Vector128<float> by = Vector128<float>.Zero;
        Copy(py, (float*)&by, length);
        Vector128<float> result = op.Invoke(bx, by);
        Copy((float*)&result, pd, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Binary256<TOperator>(TOperator op, float* px, float* py, float* pd, int length)
        where TOperator : struct, IBinaryOperator
    {
        const int Width = 8;
        if (length < Width)
        {
            BinaryPartial256(op, px, py, pd, length);
            return;
        }
        // First and last vectors, computed before anything is stored (see the remarks).
        Vector256<float> first = op.Invoke(Vector256.Load(px + 0), Vector256.Load(py + 0));
        Vector256<float> last = op.Invoke(Vector256.Load(px + length - Width), Vector256.Load(py + length - Width));
        int end = length - Width;
        int i = AlignedStart(pd, Width);
        for (; i <= end - 4 * Width; i += 4 * Width)
        {
            Vector256<float> x0 = Vector256.Load(px + i), y0 = Vector256.Load(py + i);
            Vector256<float> x1 = Vector256.Load(px + i + Width), y1 = Vector256.Load(py + i + Width);
            Vector256<float> x2 = Vector256.Load(px + i + 2 * Width), y2 = Vector256.Load(py + i + 2 * Width);
            Vector256<float> x3 = Vector256.Load(px + i + 3 * Width), y3 = Vector256.Load(py + i + 3 * Width);
            Vector256<float> a = op.Invoke(x0, y0);
            Vector256<float> b = op.Invoke(x1, y1);
            Vector256<float> c = op.Invoke(x2, y2);
            Vector256<float> d = op.Invoke(x3, y3);
            Vector256.Store(a, pd + i);
            Vector256.Store(b, pd + i + Width);
            Vector256.Store(c, pd + i + 2 * Width);
            Vector256.Store(d, pd + i + 3 * Width);
        }
        for (; i < end; i += Width)
        {
            Vector256.Store(op.Invoke(Vector256.Load(px + i), Vector256.Load(py + i)), pd + i);
        }
        Vector256.Store(first, pd);
        Vector256.Store(last, pd + end);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BinaryPartial256<TOperator>(TOperator op, float* px, float* py, float* pd, int length)
        where TOperator : struct, IBinaryOperator
    {
        Vector256<float> bx = Vector256<float>.Zero;
        Copy(px, (float*)&bx, length);
        Vector256<float> by = Vector256<float>.Zero;
        Copy(py, (float*)&by, length);
        Vector256<float> result = op.Invoke(bx, by);
        Copy((float*)&result, pd, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Binary512<TOperator>(TOperator op, float* px, float* py, float* pd, int length)
        where TOperator : struct, IBinaryOperator
    {
        const int Width = 16;
        if (length < Width)
        {
            BinaryPartial512(op, px, py, pd, length);
            return;
        }
        // First and last vectors, computed before anything is stored (see the remarks).
        Vector512<float> first = op.Invoke(Vector512.Load(px + 0), Vector512.Load(py + 0));
        Vector512<float> last = op.Invoke(Vector512.Load(px + length - Width), Vector512.Load(py + length - Width));
        int end = length - Width;
        int i = AlignedStart(pd, Width);
        for (; i <= end - 4 * Width; i += 4 * Width)
        {
            Vector512<float> x0 = Vector512.Load(px + i), y0 = Vector512.Load(py + i);
            Vector512<float> x1 = Vector512.Load(px + i + Width), y1 = Vector512.Load(py + i + Width);
            Vector512<float> x2 = Vector512.Load(px + i + 2 * Width), y2 = Vector512.Load(py + i + 2 * Width);
            Vector512<float> x3 = Vector512.Load(px + i + 3 * Width), y3 = Vector512.Load(py + i + 3 * Width);
            Vector512<float> a = op.Invoke(x0, y0);
            Vector512<float> b = op.Invoke(x1, y1);
            Vector512<float> c = op.Invoke(x2, y2);
            Vector512<float> d = op.Invoke(x3, y3);
            Vector512.Store(a, pd + i);
            Vector512.Store(b, pd + i + Width);
            Vector512.Store(c, pd + i + 2 * Width);
            Vector512.Store(d, pd + i + 3 * Width);
        }
        for (; i < end; i += Width)
        {
            Vector512.Store(op.Invoke(Vector512.Load(px + i), Vector512.Load(py + i)), pd + i);
        }
        Vector512.Store(first, pd);
        Vector512.Store(last, pd + end);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BinaryPartial512<TOperator>(TOperator op, float* px, float* py, float* pd, int length)
        where TOperator : struct, IBinaryOperator
    {
        Vector512<float> bx = Vector512<float>.Zero;
        Copy(px, (float*)&bx, length);
        Vector512<float> by = Vector512<float>.Zero;
        Copy(py, (float*)&by, length);
        Vector512<float> result = op.Invoke(bx, by);
        Copy((float*)&result, pd, length);
    }

    /// <summary>
    /// Where the body starts: the first vector-aligned destination element after element 0 (so the body's stores do
    /// not split cache lines: .NET arrays are only 8-byte aligned), or <paramref name="width"/> when the destination
    /// is aligned or not even float-aligned.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AlignedStart(float* pd, int width)
    {
        int misalignment = (int)((nuint)pd & (nuint)(width * sizeof(float) - 1));
        if (misalignment == 0 || (misalignment & (sizeof(float) - 1)) != 0) return width;
        return width - misalignment / sizeof(float);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(float* source, float* destination, int count)
    {
        for (int k = 0; k < count; k++) destination[k] = source[k];
    }
}
