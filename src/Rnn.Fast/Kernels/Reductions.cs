using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Rnn.Fast.Kernels;

/// <summary>
/// Reductions to one number with ONE fixed summation tree on every instruction-set path, so the result is
/// bit-identical whatever the path.
/// </summary>
/// <remarks>
/// The tree: 16 interleaved partial sums p[0..15], all starting at +0. Element i goes to p[i mod 16] as
/// <c>p = fma(x[i], y[i], p)</c>, each partial a chain in increasing i. Then pairwise, in this order:
/// <c>p[i] += p[i + 8]</c> (i &lt; 8), <c>p[i] += p[i + 4]</c> (i &lt; 4), <c>p[i] += p[i + 2]</c> (i &lt; 2),
/// result <c>p[0] + p[1]</c>. AVX-512 holds the 16 partials in one register, AVX2 in two, Vector128 in four, the
/// scalar path in a 16-float buffer. A vector path runs the last length mod 16 elements on zero-padded copies:
/// fma(0, 0, p) = p exactly, because a partial that starts at +0 can never be −0.
/// Error: a partial of k terms has |error| ≤ γ_k·Σ|x_i·y_i| (γ_k = k·u/(1 − k·u), u = 2^-24), and the
/// four combining levels add γ_4 on the whole, so |error| ≤ γ_{⌈n/16⌉+4}·Σ|x_i·y_i|.
/// NaN results are NaN on every path, but when two NaN operands meet, which one comes out (payload, sign) is not
/// reproducible: x86 returns the first operand's NaN and the JIT may order the operands of a commutative operation
/// differently in scalar and vector code. Every non-NaN result is bit-identical on every path.
/// </remarks>
internal static unsafe partial class Reductions
{
    private const int Partials = 16;

    /// <summary>The dot product Σ x[i]·y[i], summed by the fixed tree described on <see cref="Reductions"/>.</summary>
    /// <param name="x">The first vector.</param>
    /// <param name="y">The second vector; the same length.</param>
    /// <returns>The dot product; +0 for empty spans.</returns>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => Dot(x, y, KernelDispatch.Active);

    /// <summary>The squared Euclidean norm Σ x[i]², summed by the fixed tree: bit-identical to <c>Dot(x, x)</c>.</summary>
    /// <param name="x">The vector.</param>
    /// <returns>The squared norm; +0 for an empty span.</returns>
    public static float SquaredNorm(ReadOnlySpan<float> x) => Dot(x, x, KernelDispatch.Active);

    internal static float SquaredNorm(ReadOnlySpan<float> x, InstructionSet instructionSet) => Dot(x, x, instructionSet);

    internal static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y, InstructionSet instructionSet)
    {
        KernelArguments.ThrowIfLengthDiffers(x.Length, y.Length, nameof(y));
        KernelDispatch.ThrowIfUnsupported(instructionSet);
        fixed (float* px = x)
        fixed (float* py = y)
        {
            return instructionSet switch
            {
                InstructionSet.Avx512 => Dot512(px, py, x.Length),
                InstructionSet.Avx2 => Dot256(px, py, x.Length),
                InstructionSet.Portable => Dot128(px, py, x.Length),
                _ => DotScalar(px, py, x.Length),
            };
        }
    }

    private static float DotScalar(float* px, float* py, int length)
    {
        float* p = stackalloc float[Partials];
        for (int k = 0; k < Partials; k++) p[k] = 0f;
        for (int i = 0; i < length; i++)
        {
            p[i & (Partials - 1)] = MathF.FusedMultiplyAdd(px[i], py[i], p[i & (Partials - 1)]);
        }
        for (int k = 0; k < 8; k++) p[k] += p[k + 8];
        return CombineFour(p[0] + p[4], p[1] + p[5], p[2] + p[6], p[3] + p[7]);
    }

    private static float Dot128(float* px, float* py, int length)
    {
        Vector128<float> a0 = Vector128<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (; i <= length - Partials; i += Partials)
        {
            a0 = Vector128.FusedMultiplyAdd(Vector128.Load(px + i), Vector128.Load(py + i), a0);
            a1 = Vector128.FusedMultiplyAdd(Vector128.Load(px + i + 4), Vector128.Load(py + i + 4), a1);
            a2 = Vector128.FusedMultiplyAdd(Vector128.Load(px + i + 8), Vector128.Load(py + i + 8), a2);
            a3 = Vector128.FusedMultiplyAdd(Vector128.Load(px + i + 12), Vector128.Load(py + i + 12), a3);
        }
        if (i < length) return Tail128(px + i, py + i, length - i, a0, a1, a2, a3);
        return Combine(a0 + a2, a1 + a3);
    }

    private static float Dot256(float* px, float* py, int length)
    {
        Vector256<float> a0 = Vector256<float>.Zero, a1 = a0;
        int i = 0;
        for (; i <= length - Partials; i += Partials)
        {
            a0 = Vector256.FusedMultiplyAdd(Vector256.Load(px + i), Vector256.Load(py + i), a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.Load(px + i + 8), Vector256.Load(py + i + 8), a1);
        }
        if (i < length) return Tail256(px + i, py + i, length - i, a0, a1);
        Vector256<float> r = a0 + a1;
        return Combine(r.GetLower(), r.GetUpper());
    }

    private static float Dot512(float* px, float* py, int length)
    {
        // One register is one chain per lane: the fma latency (4 cycles) bounds this loop to 16 floats per
        // 4 cycles; the fixed tree forbids more accumulators, which would change the summation order.
        Vector512<float> a = Vector512<float>.Zero;
        int i = 0;
        for (; i <= length - Partials; i += Partials)
        {
            a = Vector512.FusedMultiplyAdd(Vector512.Load(px + i), Vector512.Load(py + i), a);
        }
        if (i < length) return Tail512(px + i, py + i, length - i, a);
        return Combine512(a);
    }

    // The tails live in their own methods: a stack buffer in the loop's method made the JIT keep the accumulators
    // in memory, which put a store-to-load forwarding delay into every iteration of the chain (measured 2.5× slower).

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Tail128(float* px, float* py, int count, Vector128<float> a0, Vector128<float> a1, Vector128<float> a2, Vector128<float> a3)
    {
        float* bx = stackalloc float[Partials];
        float* by = stackalloc float[Partials];
        PadTail(px, py, count, bx, by);
        a0 = Vector128.FusedMultiplyAdd(Vector128.Load(bx), Vector128.Load(by), a0);
        a1 = Vector128.FusedMultiplyAdd(Vector128.Load(bx + 4), Vector128.Load(by + 4), a1);
        a2 = Vector128.FusedMultiplyAdd(Vector128.Load(bx + 8), Vector128.Load(by + 8), a2);
        a3 = Vector128.FusedMultiplyAdd(Vector128.Load(bx + 12), Vector128.Load(by + 12), a3);
        return Combine(a0 + a2, a1 + a3);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Tail256(float* px, float* py, int count, Vector256<float> a0, Vector256<float> a1)
    {
        float* bx = stackalloc float[Partials];
        float* by = stackalloc float[Partials];
        PadTail(px, py, count, bx, by);
        a0 = Vector256.FusedMultiplyAdd(Vector256.Load(bx), Vector256.Load(by), a0);
        a1 = Vector256.FusedMultiplyAdd(Vector256.Load(bx + 8), Vector256.Load(by + 8), a1);
        Vector256<float> r = a0 + a1;
        return Combine(r.GetLower(), r.GetUpper());
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Tail512(float* px, float* py, int count, Vector512<float> a)
    {
        float* bx = stackalloc float[Partials];
        float* by = stackalloc float[Partials];
        PadTail(px, py, count, bx, by);
        return Combine512(Vector512.FusedMultiplyAdd(Vector512.Load(bx), Vector512.Load(by), a));
    }

    /// <summary>Level 1 of the tree (p[i] + p[i + 8]) on one 16-lane register, then the rest.</summary>
    private static float Combine512(Vector512<float> a)
    {
        Vector256<float> r = a.GetLower() + a.GetUpper();
        return Combine(r.GetLower(), r.GetUpper());
    }

    /// <summary>Levels 2–4 of the tree from r[0..3] (lower) and r[4..7] (upper): s = lower + upper, then (s0 + s2) + (s1 + s3).</summary>
    private static float Combine(Vector128<float> lower, Vector128<float> upper)
    {
        Vector128<float> s = lower + upper;
        return CombineFour(s.GetElement(0), s.GetElement(1), s.GetElement(2), s.GetElement(3));
    }

    private static float CombineFour(float s0, float s1, float s2, float s3) => (s0 + s2) + (s1 + s3);

    private static void PadTail(float* px, float* py, int count, float* bx, float* by)
    {
        for (int k = 0; k < Partials; k++)
        {
            bx[k] = k < count ? px[k] : 0f;
            by[k] = k < count ? py[k] : 0f;
        }
    }
}
