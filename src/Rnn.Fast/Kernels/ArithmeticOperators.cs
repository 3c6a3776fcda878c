using System.Runtime.Intrinsics;

namespace Rnn.Fast.Kernels;

/// <summary><c>x · factor</c>, one rounding.</summary>
internal readonly struct MultiplyByScalarOperator(float factor) : IUnaryOperator
{
    public float Invoke(float x) => x * factor;
    public Vector128<float> Invoke(Vector128<float> x) => x * Vector128.Create(factor);
    public Vector256<float> Invoke(Vector256<float> x) => x * Vector256.Create(factor);
    public Vector512<float> Invoke(Vector512<float> x) => x * Vector512.Create(factor);
}

/// <summary><c>fma(x, factor, y)</c> = x·factor + y with one rounding (BLAS axpy with a fused multiply-add).</summary>
internal readonly struct MultiplyAddScalarOperator(float factor) : IBinaryOperator
{
    public float Invoke(float x, float y) => MathF.FusedMultiplyAdd(x, factor, y);
    public Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => Vector128.FusedMultiplyAdd(x, Vector128.Create(factor), y);
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector256.FusedMultiplyAdd(x, Vector256.Create(factor), y);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector512.FusedMultiplyAdd(x, Vector512.Create(factor), y);
}

/// <summary>
/// The tanh derivative applied to a gradient, from the tanh output h and the incoming gradient g:
/// <c>t = fma(−h, h, 1)</c> (1 − h² with one rounding), then <c>g · t</c> (a second rounding).
/// </summary>
internal readonly struct TanhGradientOperator : IBinaryOperator
{
    public float Invoke(float h, float g) => g * MathF.FusedMultiplyAdd(-h, h, 1f);
    public Vector128<float> Invoke(Vector128<float> h, Vector128<float> g) => g * Vector128.FusedMultiplyAdd(-h, h, Vector128<float>.One);
    public Vector256<float> Invoke(Vector256<float> h, Vector256<float> g) => g * Vector256.FusedMultiplyAdd(-h, h, Vector256<float>.One);
    public Vector512<float> Invoke(Vector512<float> h, Vector512<float> g) => g * Vector512.FusedMultiplyAdd(-h, h, Vector512<float>.One);
}
