using System.Runtime.Intrinsics;

namespace Rnn.Fast.Kernels;

/// <summary>Finds NaN and ±∞ in a span: the scan behind the training step's non-finite guard.</summary>
/// <remarks>
/// A float x is finite exactly when x − x is +0: NaN − NaN and ∞ − ∞ are NaN, and x − x = +0 for every finite x
/// (round to nearest). The vector paths test a whole register at once and look for the lane only in the register
/// that fails, so a clean span costs one subtraction and one comparison per vector; the answer (an index) is the
/// same on every path.
/// </remarks>
internal static unsafe class NonFiniteValues
{
    /// <summary>The index of the first NaN or infinity in <paramref name="values"/>, or −1 when every value is finite.</summary>
    /// <param name="values">The values to scan.</param>
    /// <returns>The smallest i with a non-finite values[i], or −1.</returns>
    public static int IndexOfFirst(ReadOnlySpan<float> values) => IndexOfFirst(values, KernelDispatch.Active);

    internal static int IndexOfFirst(ReadOnlySpan<float> values, InstructionSet instructionSet)
    {
        KernelDispatch.ThrowIfUnsupported(instructionSet);
        fixed (float* p = values)
        {
            int length = values.Length;
            int i = instructionSet switch
            {
                InstructionSet.Avx512 => FirstFailingBlock512(p, length),
                InstructionSet.Avx2 => FirstFailingBlock256(p, length),
                InstructionSet.Portable => FirstFailingBlock128(p, length),
                _ => 0,
            };

            // From the first register that failed (or the tail, or everything on the scalar path), one at a time.
            for (; i < length; i++)
            {
                if (!float.IsFinite(p[i])) return i;
            }

            return -1;
        }
    }

    /// <summary>
    /// The index of the first i where <c>op(x[i], y[i])</c> is NaN or infinite, or −1: the values an elementwise update
    /// would store, evaluated by the very operator that stores them and written nowhere. The training step's guard runs
    /// it over an update before the update is applied, so a refused update leaves the parameters untouched. The lengths
    /// must be equal (callers check). Each lane is the operator's own chain, so the answer is the same on every path.
    /// </summary>
    internal static int IndexOfFirstNonFiniteResult<TOperator>(TOperator op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, InstructionSet instructionSet)
        where TOperator : struct, IBinaryOperator
    {
        KernelArguments.ThrowIfLengthDiffers(x.Length, y.Length, nameof(y));
        KernelDispatch.ThrowIfUnsupported(instructionSet);
        fixed (float* px = x)
        fixed (float* py = y)
        {
            int length = x.Length;
            int i = instructionSet switch
            {
                InstructionSet.Avx512 => FirstFailingResultBlock512(op, px, py, length),
                InstructionSet.Avx2 => FirstFailingResultBlock256(op, px, py, length),
                InstructionSet.Portable => FirstFailingResultBlock128(op, px, py, length),
                _ => 0,
            };

            for (; i < length; i++)
            {
                if (!float.IsFinite(op.Invoke(px[i], py[i]))) return i;
            }

            return -1;
        }
    }

    private static int FirstFailingResultBlock512<TOperator>(TOperator op, float* px, float* py, int length)
        where TOperator : struct, IBinaryOperator
    {
        int i = 0;
        for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            Vector512<float> r = op.Invoke(Vector512.Load(px + i), Vector512.Load(py + i));
            if (!Vector512.EqualsAll(r - r, Vector512<float>.Zero)) return i;
        }
        return i;
    }

    private static int FirstFailingResultBlock256<TOperator>(TOperator op, float* px, float* py, int length)
        where TOperator : struct, IBinaryOperator
    {
        int i = 0;
        for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            Vector256<float> r = op.Invoke(Vector256.Load(px + i), Vector256.Load(py + i));
            if (!Vector256.EqualsAll(r - r, Vector256<float>.Zero)) return i;
        }
        return i;
    }

    private static int FirstFailingResultBlock128<TOperator>(TOperator op, float* px, float* py, int length)
        where TOperator : struct, IBinaryOperator
    {
        int i = 0;
        for (; i <= length - Vector128<float>.Count; i += Vector128<float>.Count)
        {
            Vector128<float> r = op.Invoke(Vector128.Load(px + i), Vector128.Load(py + i));
            if (!Vector128.EqualsAll(r - r, Vector128<float>.Zero)) return i;
        }
        return i;
    }

    // Each returns where the scalar scan must start: the first full register holding a non-finite value, or the tail.

    private static int FirstFailingBlock512(float* p, int length)
    {
        int i = 0;
        for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            Vector512<float> x = Vector512.Load(p + i);
            if (!Vector512.EqualsAll(x - x, Vector512<float>.Zero)) return i;
        }
        return i;
    }

    private static int FirstFailingBlock256(float* p, int length)
    {
        int i = 0;
        for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            Vector256<float> x = Vector256.Load(p + i);
            if (!Vector256.EqualsAll(x - x, Vector256<float>.Zero)) return i;
        }
        return i;
    }

    private static int FirstFailingBlock128(float* p, int length)
    {
        int i = 0;
        for (; i <= length - Vector128<float>.Count; i += Vector128<float>.Count)
        {
            Vector128<float> x = Vector128.Load(p + i);
            if (!Vector128.EqualsAll(x - x, Vector128<float>.Zero)) return i;
        }
        return i;
    }
}
