using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Rnn.Fast.Kernels;

/// <summary>
/// tanh as an odd polynomial for small |x| and as 1 − 2/(e^{2|x|} + 1) with a Cody–Waite exp for larger |x|,
/// chosen per element by a blend (XNNPACK would call it <c>f32_vtanh__poly11_expm6</c>).
/// </summary>
/// <remarks>
/// Every width runs this exact sequence per element (a = |x|, all multiply-adds fused):
/// <code>
/// tiny:  a &lt; 2^-13                  → a                      (tanh(a) rounds to a there)
/// small: a &lt; 9/16, xs = min(a, 9/16), s = xs·xs
///        P = ((((P4·s + P3)·s + P2)·s + P1)·s + P0)          → fma(xs, s·P, xs)
/// large: z = clamp(a, 9/16, 9.5), y = z + z
///        t = fma(y, log2(e), 1.5·2^23); k = t − 1.5·2^23    (k = round-to-nearest-even(y·log2 e), exact)
///        r = fma(−k, Ln2High, y); r = fma(−k, Ln2Low, r)     (Cody–Waite: y − k·ln 2)
///        Q = (((((E5·r + E4)·r + E3)·r + E2)·r + E1)·r + E0); e^r = fma(r, Q, 1)
///        e^y = e^r · 2^k (2^k built from the exponent bits of t); → 1 − 2/(e^y + 1)
/// then the sign of x is OR-ed in (so −0 → −0), and NaN returns x itself.
/// </code>
/// The vector paths have no tiny branch: below 2^-13 the small branch already returns exactly a, because
/// |a·(s·P)| &lt; a·2^-27.5 is below half an ulp of a (≥ a·2^-25), so the fused add rounds back to a. That saves a
/// compare, a blend and a clamp per vector; the price is that s = a² is subnormal for 0 &lt; |x| &lt; 2^-63, inputs
/// no RNN produces (the scalar path keeps the branch, which is cheaper there than the polynomial).
/// Saturation: the large branch clamps at 9.5, where 2/(e^19 + 1) ≈ 1.1e-8 is below half an ulp of 1, so
/// |x| ≥ ~9.01 (including ±∞) gives exactly ±1; no branch ever produces a subnormal or an overflow.
/// The split at 9/16 (just above atanh(1/2) ≈ 0.5493) keeps 2/(e^y + 1) ≤ 0.49 in the large branch, so the
/// subtraction from 1 at most doubles its relative error instead of amplifying it (the cancellation that makes
/// e^(−2|x|) − 1 formulas lose thousands of ulp near 0).
/// Coefficients: weighted minimax (Remez exchange in 40-digit arithmetic, mpmath), rounded to float.
/// P: (tanh(x) − x)/x³ as a polynomial in s = x² on [0, (9/16)²], weight s·x/tanh(x) (the relative error it
/// causes in tanh): 2.4e-9, i.e. 0.04 ulp before float evaluation. E: (e^r − 1)/r on [−ln2/2, ln2/2], weight
/// |r|/e^r: relative error 3.9e-9 = 0.07 ulp. The measured total error is in <see cref="Activations.TanhMaxUlpError"/>.
/// </remarks>
internal readonly struct TanhOperator : IUnaryOperator
{
    private const uint SignMask = 0x8000_0000u;
    private const uint MagnitudeMask = 0x7FFF_FFFFu;

    /// <summary>2^-13: below it tanh(a) = a − a³/3 rounds to a (a²/3 &lt; 2^-27 is below half an ulp).</summary>
    private const float TinyLimit = 1.220703125e-4f; // 2^-13

    /// <summary>9/16: the switch from the polynomial to the exp formula (exact in binary).</summary>
    private const float SmallLimit = 0.5625f;

    /// <summary>9.5: tanh rounds to 1 from about 9.01; clamping here keeps e^{2z} ≤ 2^28 (no overflow).</summary>
    private const float SaturationLimit = 9.5f;

    // P(s) ≈ (tanh(x) − x)/x³, s = x². Remez fit, see remarks.
    private const float P0 = -0.33333316445350647f;
    private const float P1 = 0.1333249807357788f;
    private const float P2 = -0.05383670702576637f;
    private const float P3 = 0.020990470424294472f;
    private const float P4 = -0.006143543403595686f;

    /// <summary>1.5·2^23: adding it rounds a float in [0, 2^22) to an integer, which lands in the low mantissa bits.</summary>
    private const float RoundingShift = 12582912f;
    private const float Log2E = 1.44269504088896341f;
    // ln 2 split so that k·Ln2High is exact for |k| < 2^9 (Ln2High has 15 significant bits): 0x3F317200, 0x35BFBE8E.
    private const float Ln2High = 0.693145751953125f;
    private const float Ln2Low = 1.42860682030941723e-6f;

    // Q(r) ≈ (e^r − 1)/r on [−ln2/2, ln2/2]. Remez fit, see remarks.
    private const float E0 = 1.0000001192092896f;
    private const float E1 = 0.5f;
    private const float E2 = 0.166663259267807f;
    private const float E3 = 0.041666239500045776f;
    private const float E4 = 0.008381109684705734f;
    private const float E5 = 0.001394858118146658f;

    /// <summary>The bits of 1.0f: adding k·2^23 to them gives the bits of 2^k.</summary>
    private const int OneBits = 0x3F80_0000;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x)
    {
        uint bits = BitConverter.SingleToUInt32Bits(x);
        float a = BitConverter.UInt32BitsToSingle(bits & MagnitudeMask);
        if (float.IsNaN(x)) return x;
        float result;
        if (a < TinyLimit)
        {
            result = a;
        }
        else if (a < SmallLimit)
        {
            float s = a * a;
            float p = MathF.FusedMultiplyAdd(P4, s, P3);
            p = MathF.FusedMultiplyAdd(p, s, P2);
            p = MathF.FusedMultiplyAdd(p, s, P1);
            p = MathF.FusedMultiplyAdd(p, s, P0);
            result = MathF.FusedMultiplyAdd(a, s * p, a);
        }
        else
        {
            float z = a < SaturationLimit ? a : SaturationLimit;
            float y = z + z;
            float t = MathF.FusedMultiplyAdd(y, Log2E, RoundingShift);
            float k = t - RoundingShift;
            float r = MathF.FusedMultiplyAdd(-k, Ln2High, y);
            r = MathF.FusedMultiplyAdd(-k, Ln2Low, r);
            float q = MathF.FusedMultiplyAdd(E5, r, E4);
            q = MathF.FusedMultiplyAdd(q, r, E3);
            q = MathF.FusedMultiplyAdd(q, r, E2);
            q = MathF.FusedMultiplyAdd(q, r, E1);
            q = MathF.FusedMultiplyAdd(q, r, E0);
            float er = MathF.FusedMultiplyAdd(r, q, 1f);
            float scale = BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(t) << 23) + OneBits);
            float e = er * scale;
            result = 1f - 2f / (e + 1f);
        }
        return BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(result) | (bits & SignMask));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x)
    {
        Vector128<float> a = Vector128.AsSingle(Vector128.AsUInt32(x) & Vector128.Create(MagnitudeMask));

        // Small branch on xs = min(a, 9/16): no overflow whatever a is; below 2^-13 it returns a itself (remarks).
        Vector128<float> xs = Vector128.MinNative(a, Vector128.Create(SmallLimit));
        Vector128<float> s = xs * xs;
        Vector128<float> p = Vector128.FusedMultiplyAdd(Vector128.Create(P4), s, Vector128.Create(P3));
        p = Vector128.FusedMultiplyAdd(p, s, Vector128.Create(P2));
        p = Vector128.FusedMultiplyAdd(p, s, Vector128.Create(P1));
        p = Vector128.FusedMultiplyAdd(p, s, Vector128.Create(P0));
        Vector128<float> small = Vector128.FusedMultiplyAdd(xs, s * p, xs);

        // Large branch on z = clamp(a, 9/16, 9.5).
        Vector128<float> z = Vector128.MinNative(Vector128.MaxNative(a, Vector128.Create(SmallLimit)), Vector128.Create(SaturationLimit));
        Vector128<float> y = z + z;
        Vector128<float> t = Vector128.FusedMultiplyAdd(y, Vector128.Create(Log2E), Vector128.Create(RoundingShift));
        Vector128<float> k = t - Vector128.Create(RoundingShift);
        Vector128<float> r = Vector128.FusedMultiplyAdd(k, Vector128.Create(-Ln2High), y);
        r = Vector128.FusedMultiplyAdd(k, Vector128.Create(-Ln2Low), r);
        Vector128<float> q = Vector128.FusedMultiplyAdd(Vector128.Create(E5), r, Vector128.Create(E4));
        q = Vector128.FusedMultiplyAdd(q, r, Vector128.Create(E3));
        q = Vector128.FusedMultiplyAdd(q, r, Vector128.Create(E2));
        q = Vector128.FusedMultiplyAdd(q, r, Vector128.Create(E1));
        q = Vector128.FusedMultiplyAdd(q, r, Vector128.Create(E0));
        Vector128<float> er = Vector128.FusedMultiplyAdd(r, q, Vector128<float>.One);
        Vector128<float> scale = Vector128.AsSingle(Vector128.ShiftLeft(Vector128.AsInt32(t), 23) + Vector128.Create(OneBits));
        Vector128<float> e = er * scale;
        Vector128<float> large = Vector128<float>.One - Vector128.Create(2f) / (e + Vector128<float>.One);

        // NaN compares false everywhere, so it takes the large branch and is then replaced by x itself.
        Vector128<float> result = Vector128.ConditionalSelect(Vector128.LessThan(a, Vector128.Create(SmallLimit)), small, large);
        result = Vector128.AsSingle(Vector128.AsUInt32(result) | (Vector128.AsUInt32(x) & Vector128.Create(SignMask)));
        return Vector128.ConditionalSelect(Vector128.Equals(x, x), result, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x)
    {
        Vector256<float> a = Vector256.AsSingle(Vector256.AsUInt32(x) & Vector256.Create(MagnitudeMask));

        Vector256<float> xs = Vector256.MinNative(a, Vector256.Create(SmallLimit));
        Vector256<float> s = xs * xs;
        Vector256<float> p = Vector256.FusedMultiplyAdd(Vector256.Create(P4), s, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(P1));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(P0));
        Vector256<float> small = Vector256.FusedMultiplyAdd(xs, s * p, xs);

        Vector256<float> z = Vector256.MinNative(Vector256.MaxNative(a, Vector256.Create(SmallLimit)), Vector256.Create(SaturationLimit));
        Vector256<float> y = z + z;
        Vector256<float> t = Vector256.FusedMultiplyAdd(y, Vector256.Create(Log2E), Vector256.Create(RoundingShift));
        Vector256<float> k = t - Vector256.Create(RoundingShift);
        Vector256<float> r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2High), y);
        r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Low), r);
        Vector256<float> q = Vector256.FusedMultiplyAdd(Vector256.Create(E5), r, Vector256.Create(E4));
        q = Vector256.FusedMultiplyAdd(q, r, Vector256.Create(E3));
        q = Vector256.FusedMultiplyAdd(q, r, Vector256.Create(E2));
        q = Vector256.FusedMultiplyAdd(q, r, Vector256.Create(E1));
        q = Vector256.FusedMultiplyAdd(q, r, Vector256.Create(E0));
        Vector256<float> er = Vector256.FusedMultiplyAdd(r, q, Vector256<float>.One);
        Vector256<float> scale = Vector256.AsSingle(Vector256.ShiftLeft(Vector256.AsInt32(t), 23) + Vector256.Create(OneBits));
        Vector256<float> e = er * scale;
        Vector256<float> large = Vector256<float>.One - Vector256.Create(2f) / (e + Vector256<float>.One);

        Vector256<float> result = Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(SmallLimit)), small, large);
        result = Vector256.AsSingle(Vector256.AsUInt32(result) | (Vector256.AsUInt32(x) & Vector256.Create(SignMask)));
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x)
    {
        Vector512<float> a = Vector512.AsSingle(Vector512.AsUInt32(x) & Vector512.Create(MagnitudeMask));

        Vector512<float> xs = Vector512.MinNative(a, Vector512.Create(SmallLimit));
        Vector512<float> s = xs * xs;
        Vector512<float> p = Vector512.FusedMultiplyAdd(Vector512.Create(P4), s, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(P0));
        Vector512<float> small = Vector512.FusedMultiplyAdd(xs, s * p, xs);

        Vector512<float> z = Vector512.MinNative(Vector512.MaxNative(a, Vector512.Create(SmallLimit)), Vector512.Create(SaturationLimit));
        Vector512<float> y = z + z;
        Vector512<float> t = Vector512.FusedMultiplyAdd(y, Vector512.Create(Log2E), Vector512.Create(RoundingShift));
        Vector512<float> k = t - Vector512.Create(RoundingShift);
        Vector512<float> r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2High), y);
        r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2Low), r);
        Vector512<float> q = Vector512.FusedMultiplyAdd(Vector512.Create(E5), r, Vector512.Create(E4));
        q = Vector512.FusedMultiplyAdd(q, r, Vector512.Create(E3));
        q = Vector512.FusedMultiplyAdd(q, r, Vector512.Create(E2));
        q = Vector512.FusedMultiplyAdd(q, r, Vector512.Create(E1));
        q = Vector512.FusedMultiplyAdd(q, r, Vector512.Create(E0));
        Vector512<float> er = Vector512.FusedMultiplyAdd(r, q, Vector512<float>.One);
        Vector512<float> scale = Vector512.AsSingle(Vector512.ShiftLeft(Vector512.AsInt32(t), 23) + Vector512.Create(OneBits));
        Vector512<float> e = er * scale;
        Vector512<float> large = Vector512<float>.One - Vector512.Create(2f) / (e + Vector512<float>.One);

        Vector512<float> result = Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512.Create(SmallLimit)), small, large);
        result = Vector512.AsSingle(Vector512.AsUInt32(result) | (Vector512.AsUInt32(x) & Vector512.Create(SignMask)));
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), result, x);
    }
}
