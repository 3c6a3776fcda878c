using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Rnn.Fast.Kernels;

/// <summary>
/// Loop drivers for <see cref="IUnaryOperator"/> and <see cref="IBinaryOperator"/> on every instruction-set path.
/// </summary>
/// <remarks>
/// Partial vectors — the head that brings the destination to a vector-aligned address (a store that splits two
/// cache lines costs about twice as much, and .NET arrays are only 8-byte aligned) and the tail (the last
/// elements) — are copied into a zero-padded vector-sized stack buffer, run through the same vector
/// <c>Invoke</c>, and copied back. That keeps one formula for every element whatever
/// its position, and stays correct in place: an overlapping last vector would apply the operator twice to
/// elements already written when the destination is also an input. Callers check lengths; a destination may be the
/// very same span as an input (in place) but must not otherwise overlap one.
/// </remarks>
internal static unsafe class ElementwiseDriver
{
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

    private static void UnaryScalar<TOperator>(TOperator op, float* px, float* pd, int length)
        where TOperator : struct, IUnaryOperator
    {
        for (int i = 0; i < length; i++) pd[i] = op.Invoke(px[i]);
    }

    private static void BinaryScalar<TOperator>(TOperator op, float* px, float* py, float* pd, int length)
        where TOperator : struct, IBinaryOperator
    {
        for (int i = 0; i < length; i++) pd[i] = op.Invoke(px[i], py[i]);
    }

    private static void Unary128<TOperator>(TOperator op, float* px, float* pd, int length)
        where TOperator : struct, IUnaryOperator
    {
        const int Width = 4;
        int i = HeadLength(pd, length, Width);
        if (i > 0) UnaryPartial128(op, px, pd, i);
        for (; i <= length - Width; i += Width)
        {
            Vector128.Store(op.Invoke(Vector128.Load(px + i)), pd + i);
        }
        if (i < length) UnaryPartial128(op, px + i, pd + i, length - i);
    }

    private static void UnaryPartial128<TOperator>(TOperator op, float* px, float* pd, int count)
        where TOperator : struct, IUnaryOperator
    {
        Vector128<float> bx = Vector128<float>.Zero;
        Copy(px, (float*)&bx, count);
        Vector128<float> result = op.Invoke(bx);
        Copy((float*)&result, pd, count);
    }

    private static void Unary256<TOperator>(TOperator op, float* px, float* pd, int length)
        where TOperator : struct, IUnaryOperator
    {
        const int Width = 8;
        int i = HeadLength(pd, length, Width);
        if (i > 0) UnaryPartial256(op, px, pd, i);
        for (; i <= length - 2 * Width; i += 2 * Width)
        {
            // Two independent vectors per iteration hide the latency of long operators such as tanh.
            Vector256<float> a = op.Invoke(Vector256.Load(px + i));
            Vector256<float> b = op.Invoke(Vector256.Load(px + i + Width));
            Vector256.Store(a, pd + i);
            Vector256.Store(b, pd + i + Width);
        }
        for (; i <= length - Width; i += Width)
        {
            Vector256.Store(op.Invoke(Vector256.Load(px + i)), pd + i);
        }
        if (i < length) UnaryPartial256(op, px + i, pd + i, length - i);
    }

    private static void UnaryPartial256<TOperator>(TOperator op, float* px, float* pd, int count)
        where TOperator : struct, IUnaryOperator
    {
        Vector256<float> bx = Vector256<float>.Zero;
        Copy(px, (float*)&bx, count);
        Vector256<float> result = op.Invoke(bx);
        Copy((float*)&result, pd, count);
    }

    private static void Unary512<TOperator>(TOperator op, float* px, float* pd, int length)
        where TOperator : struct, IUnaryOperator
    {
        const int Width = 16;
        int i = HeadLength(pd, length, Width);
        if (i > 0) UnaryPartial512(op, px, pd, i);
        for (; i <= length - 2 * Width; i += 2 * Width)
        {
            // Two independent vectors per iteration hide the latency of long operators such as tanh.
            Vector512<float> a = op.Invoke(Vector512.Load(px + i));
            Vector512<float> b = op.Invoke(Vector512.Load(px + i + Width));
            Vector512.Store(a, pd + i);
            Vector512.Store(b, pd + i + Width);
        }
        for (; i <= length - Width; i += Width)
        {
            Vector512.Store(op.Invoke(Vector512.Load(px + i)), pd + i);
        }
        if (i < length) UnaryPartial512(op, px + i, pd + i, length - i);
    }

    private static void UnaryPartial512<TOperator>(TOperator op, float* px, float* pd, int count)
        where TOperator : struct, IUnaryOperator
    {
        Vector512<float> bx = Vector512<float>.Zero;
        Copy(px, (float*)&bx, count);
        Vector512<float> result = op.Invoke(bx);
        Copy((float*)&result, pd, count);
    }

    private static void Binary128<TOperator>(TOperator op, float* px, float* py, float* pd, int length)
        where TOperator : struct, IBinaryOperator
    {
        const int Width = 4;
        int i = HeadLength(pd, length, Width);
        if (i > 0) BinaryPartial128(op, px, py, pd, i);
        for (; i <= length - Width; i += Width)
        {
            Vector128.Store(op.Invoke(Vector128.Load(px + i), Vector128.Load(py + i)), pd + i);
        }
        if (i < length) BinaryPartial128(op, px + i, py + i, pd + i, length - i);
    }

    private static void BinaryPartial128<TOperator>(TOperator op, float* px, float* py, float* pd, int count)
        where TOperator : struct, IBinaryOperator
    {
        Vector128<float> bx = Vector128<float>.Zero, by = Vector128<float>.Zero;
        Copy(px, (float*)&bx, count);
        Copy(py, (float*)&by, count);
        Vector128<float> result = op.Invoke(bx, by);
        Copy((float*)&result, pd, count);
    }

    private static void Binary256<TOperator>(TOperator op, float* px, float* py, float* pd, int length)
        where TOperator : struct, IBinaryOperator
    {
        const int Width = 8;
        int i = HeadLength(pd, length, Width);
        if (i > 0) BinaryPartial256(op, px, py, pd, i);
        for (; i <= length - 2 * Width; i += 2 * Width)
        {
            Vector256<float> a = op.Invoke(Vector256.Load(px + i), Vector256.Load(py + i));
            Vector256<float> b = op.Invoke(Vector256.Load(px + i + Width), Vector256.Load(py + i + Width));
            Vector256.Store(a, pd + i);
            Vector256.Store(b, pd + i + Width);
        }
        for (; i <= length - Width; i += Width)
        {
            Vector256.Store(op.Invoke(Vector256.Load(px + i), Vector256.Load(py + i)), pd + i);
        }
        if (i < length) BinaryPartial256(op, px + i, py + i, pd + i, length - i);
    }

    private static void BinaryPartial256<TOperator>(TOperator op, float* px, float* py, float* pd, int count)
        where TOperator : struct, IBinaryOperator
    {
        Vector256<float> bx = Vector256<float>.Zero, by = Vector256<float>.Zero;
        Copy(px, (float*)&bx, count);
        Copy(py, (float*)&by, count);
        Vector256<float> result = op.Invoke(bx, by);
        Copy((float*)&result, pd, count);
    }

    private static void Binary512<TOperator>(TOperator op, float* px, float* py, float* pd, int length)
        where TOperator : struct, IBinaryOperator
    {
        const int Width = 16;
        int i = HeadLength(pd, length, Width);
        if (i > 0) BinaryPartial512(op, px, py, pd, i);
        for (; i <= length - 2 * Width; i += 2 * Width)
        {
            Vector512<float> a = op.Invoke(Vector512.Load(px + i), Vector512.Load(py + i));
            Vector512<float> b = op.Invoke(Vector512.Load(px + i + Width), Vector512.Load(py + i + Width));
            Vector512.Store(a, pd + i);
            Vector512.Store(b, pd + i + Width);
        }
        for (; i <= length - Width; i += Width)
        {
            Vector512.Store(op.Invoke(Vector512.Load(px + i), Vector512.Load(py + i)), pd + i);
        }
        if (i < length) BinaryPartial512(op, px + i, py + i, pd + i, length - i);
    }

    private static void BinaryPartial512<TOperator>(TOperator op, float* px, float* py, float* pd, int count)
        where TOperator : struct, IBinaryOperator
    {
        Vector512<float> bx = Vector512<float>.Zero, by = Vector512<float>.Zero;
        Copy(px, (float*)&bx, count);
        Copy(py, (float*)&by, count);
        Vector512<float> result = op.Invoke(bx, by);
        Copy((float*)&result, pd, count);
    }

    /// <summary>
    /// How many leading elements to run as a partial vector so that the destination is vector-aligned after them:
    /// none for spans shorter than two vectors (not worth it) or already aligned ones.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int HeadLength(float* pd, int length, int width)
    {
        int misalignment = (int)((nuint)pd & (nuint)(width * sizeof(float) - 1));
        if (length < 2 * width || misalignment == 0 || (misalignment & (sizeof(float) - 1)) != 0) return 0;
        return width - misalignment / sizeof(float);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(float* source, float* destination, int count)
    {
        for (int k = 0; k < count; k++) destination[k] = source[k];
    }
}
