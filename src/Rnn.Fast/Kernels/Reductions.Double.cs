using System.Runtime.Intrinsics;

namespace Rnn.Fast.Kernels;

internal static unsafe partial class Reductions
{
    private const int DoublePartials = 8;

    /// <summary>
    /// The squared Euclidean norm Σ x[i]², accumulated in double by a fixed tree, so it never overflows for finite
    /// floats and is bit-identical on every path. Gradient clipping uses it for the global norm.
    /// </summary>
    /// <remarks>
    /// The tree: 8 interleaved double partials q[0..7], all starting at +0; element i goes to q[i mod 8] as
    /// <c>q += (double)x[i] · (double)x[i]</c>, each partial a chain in increasing i; result
    /// <c>((q0 + q4) + (q2 + q6)) + ((q1 + q5) + (q3 + q7))</c>. A float's square is exact in double (48 significant
    /// bits), so a fused and an unfused multiply-add give the same bits and every path may use either.
    /// Error: each term is exact, so |error| ≤ γ_{⌈n/8⌉+3}·Σx[i]² with the double unit roundoff 2^−53: below
    /// 1e−10 relative for n up to 2^30. The largest finite float squared is about 1.2e77, so no finite input can
    /// overflow it. Any NaN gives NaN; an infinity without NaN gives +∞.
    /// </remarks>
    /// <param name="x">The vector.</param>
    /// <returns>The squared norm; +0 for an empty span.</returns>
    public static double SquaredNormInDouble(ReadOnlySpan<float> x) => SquaredNormInDouble(x, KernelDispatch.Active);

    internal static double SquaredNormInDouble(ReadOnlySpan<float> x, InstructionSet instructionSet)
    {
        KernelDispatch.ThrowIfUnsupported(instructionSet);
        double* q = stackalloc double[DoublePartials];
        fixed (float* px = x)
        {
            int i = instructionSet switch
            {
                InstructionSet.Avx512 => SquaresInDouble512(px, x.Length, q),
                InstructionSet.Avx2 => SquaresInDouble256(px, x.Length, q),
                InstructionSet.Portable => SquaresInDouble128(px, x.Length, q),
                _ => ZeroPartials(q),
            };

            // The last length mod 8 elements (all of them on the scalar path), each into its own partial.
            for (; i < x.Length; i++)
            {
                double value = px[i];
                q[i & (DoublePartials - 1)] += value * value;
            }
        }

        return ((q[0] + q[4]) + (q[2] + q[6])) + ((q[1] + q[5]) + (q[3] + q[7]));
    }

    private static int ZeroPartials(double* q)
    {
        for (int k = 0; k < DoublePartials; k++) q[k] = 0;
        return 0;
    }

    private static int SquaresInDouble512(float* px, int length, double* q)
    {
        Vector512<double> a = Vector512<double>.Zero;
        int i = 0;
        for (; i <= length - DoublePartials; i += DoublePartials)
        {
            Vector256<float> x = Vector256.Load(px + i);
            Vector512<double> wide = Vector512.Create(Vector256.WidenLower(x), Vector256.WidenUpper(x));
            a += wide * wide;
        }
        a.Store(q);
        return i;
    }

    private static int SquaresInDouble256(float* px, int length, double* q)
    {
        Vector256<double> low = Vector256<double>.Zero, high = low;
        int i = 0;
        for (; i <= length - DoublePartials; i += DoublePartials)
        {
            Vector256<float> x = Vector256.Load(px + i);
            Vector256<double> l = Vector256.WidenLower(x), h = Vector256.WidenUpper(x);
            low += l * l;
            high += h * h;
        }
        low.Store(q);
        high.Store(q + 4);
        return i;
    }

    private static int SquaresInDouble128(float* px, int length, double* q)
    {
        Vector128<double> a0 = Vector128<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (; i <= length - DoublePartials; i += DoublePartials)
        {
            Vector128<float> x0 = Vector128.Load(px + i), x1 = Vector128.Load(px + i + 4);
            Vector128<double> w0 = Vector128.WidenLower(x0), w1 = Vector128.WidenUpper(x0);
            Vector128<double> w2 = Vector128.WidenLower(x1), w3 = Vector128.WidenUpper(x1);
            a0 += w0 * w0;
            a1 += w1 * w1;
            a2 += w2 * w2;
            a3 += w3 * w3;
        }
        a0.Store(q);
        a1.Store(q + 2);
        a2.Store(q + 4);
        a3.Store(q + 6);
        return i;
    }
}
