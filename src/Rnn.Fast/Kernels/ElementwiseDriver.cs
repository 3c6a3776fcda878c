using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Rnn.Fast.Kernels;

/// <summary>
/// Loop drivers for <see cref="IUnaryOperator"/> and <see cref="IBinaryOperator"/> on every instruction-set path.
/// </summary>
/// <remarks>
/// The tail (the last <c>length mod width</c> elements) is copied into a zero-padded vector-sized stack buffer,
/// run through the same vector <c>Invoke</c>, and copied back. That keeps one formula for every element whatever
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

    private static void Unary128<TOperator>(TOperator op, float* px, float* pd, int length)
        where TOperator : struct, IUnaryOperator
    {
        const int Width = 4;
        int i = 0;
        for (; i <= length - Width; i += Width)
        {
            Vector128.Store(op.Invoke(Vector128.Load(px + i)), pd + i);
        }
        int rest = length - i;
        if (rest > 0)
        {
            Vector128<float> bx = Vector128<float>.Zero;
            Copy(px + i, (float*)&bx, rest);
            Vector128<float> result = op.Invoke(bx);
            Copy((float*)&result, pd + i, rest);
        }
    }

    private static void Unary256<TOperator>(TOperator op, float* px, float* pd, int length)
        where TOperator : struct, IUnaryOperator
    {
        const int Width = 8;
        int i = 0;
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
        int rest = length - i;
        if (rest > 0)
        {
            Vector256<float> bx = Vector256<float>.Zero;
            Copy(px + i, (float*)&bx, rest);
            Vector256<float> result = op.Invoke(bx);
            Copy((float*)&result, pd + i, rest);
        }
    }

    private static void Unary512<TOperator>(TOperator op, float* px, float* pd, int length)
        where TOperator : struct, IUnaryOperator
    {
        const int Width = 16;
        int i = 0;
        for (; i <= length - 2 * Width; i += 2 * Width)
        {
            Vector512<float> a = op.Invoke(Vector512.Load(px + i));
            Vector512<float> b = op.Invoke(Vector512.Load(px + i + Width));
            Vector512.Store(a, pd + i);
            Vector512.Store(b, pd + i + Width);
        }
        for (; i <= length - Width; i += Width)
        {
            Vector512.Store(op.Invoke(Vector512.Load(px + i)), pd + i);
        }
        int rest = length - i;
        if (rest > 0)
        {
            Vector512<float> bx = Vector512<float>.Zero;
            Copy(px + i, (float*)&bx, rest);
            Vector512<float> result = op.Invoke(bx);
            Copy((float*)&result, pd + i, rest);
        }
    }

    private static void BinaryScalar<TOperator>(TOperator op, float* px, float* py, float* pd, int length)
        where TOperator : struct, IBinaryOperator
    {
        for (int i = 0; i < length; i++) pd[i] = op.Invoke(px[i], py[i]);
    }

    private static void Binary128<TOperator>(TOperator op, float* px, float* py, float* pd, int length)
        where TOperator : struct, IBinaryOperator
    {
        const int Width = 4;
        int i = 0;
        for (; i <= length - Width; i += Width)
        {
            Vector128.Store(op.Invoke(Vector128.Load(px + i), Vector128.Load(py + i)), pd + i);
        }
        int rest = length - i;
        if (rest > 0)
        {
            Vector128<float> bx = Vector128<float>.Zero, by = Vector128<float>.Zero;
            Copy(px + i, (float*)&bx, rest);
            Copy(py + i, (float*)&by, rest);
            Vector128<float> result = op.Invoke(bx, by);
            Copy((float*)&result, pd + i, rest);
        }
    }

    private static void Binary256<TOperator>(TOperator op, float* px, float* py, float* pd, int length)
        where TOperator : struct, IBinaryOperator
    {
        const int Width = 8;
        int i = 0;
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
        int rest = length - i;
        if (rest > 0)
        {
            Vector256<float> bx = Vector256<float>.Zero, by = Vector256<float>.Zero;
            Copy(px + i, (float*)&bx, rest);
            Copy(py + i, (float*)&by, rest);
            Vector256<float> result = op.Invoke(bx, by);
            Copy((float*)&result, pd + i, rest);
        }
    }

    private static void Binary512<TOperator>(TOperator op, float* px, float* py, float* pd, int length)
        where TOperator : struct, IBinaryOperator
    {
        const int Width = 16;
        int i = 0;
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
        int rest = length - i;
        if (rest > 0)
        {
            Vector512<float> bx = Vector512<float>.Zero, by = Vector512<float>.Zero;
            Copy(px + i, (float*)&bx, rest);
            Copy(py + i, (float*)&by, rest);
            Vector512<float> result = op.Invoke(bx, by);
            Copy((float*)&result, pd + i, rest);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(float* source, float* destination, int count)
    {
        for (int k = 0; k < count; k++) destination[k] = source[k];
    }
}
