using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Rnn.Fast.Kernels;

// The optimizers' elementwise maths, in the operation order of PyTorch's single-tensor (foreach=False) CPU
// implementations, each tensor operation one IEEE operation with the float constants a float32 tensor operation
// receives (a Python float scalar is rounded to float once). ATen's CPU kernels evaluate `add(x, y, alpha)` as
// fma(y, alpha, x), `lerp(a, b, w)` as fma(w, b − a, a) for |w| < 0.5 and fma(w − 1, b − a, b) otherwise,
// `addcmul(s, x, y, value)` as fma(value·x, y, s) (libtorch 2.10 fuses it: measured against its kernels, every element
// agrees) and `addcdiv(s, x, y, value)` as s + (value·x)/y; the operators below do exactly that, lane by lane,
// identically at every width.

/// <summary>
/// torch.optim.SGD on one element (s1 = the momentum buffer), in its operation order:
/// <c>g ← add(g, p, alpha = weight_decay)</c> when weight_decay ≠ 0; with momentum μ ≠ 0, <c>b ← g</c> at the
/// first step and <c>b ← add(b·μ, g, alpha = 1 − dampening)</c> after it, then <c>g ← add(g, b, alpha = μ)</c>
/// (Nesterov) or <c>g ← b</c>; finally <c>p ← add(p, g, alpha = −lr)</c>.
/// </summary>
internal readonly struct SgdOperator : IOptimizerOperator
{
    private readonly float _negativeLearningRate;
    private readonly float _weightDecay;
    private readonly float _momentum;
    private readonly float _dampeningComplement;
    private readonly bool _hasWeightDecay;
    private readonly bool _hasMomentum;
    private readonly bool _nesterov;
    private readonly bool _firstStep;

    /// <summary>The operator of one step; every constant is rounded to float once, as torch's tensor operations round it.</summary>
    /// <param name="learningRate">lr (double, as a schedule gives it); the update adds g·(float)(−lr).</param>
    /// <param name="momentum">μ; 0 means no buffer.</param>
    /// <param name="dampening">The dampening d; the buffer adds g·(float)(1 − d).</param>
    /// <param name="weightDecay">The L2 coefficient; 0 means none.</param>
    /// <param name="nesterov">Whether the step uses g + μ·b instead of b.</param>
    /// <param name="firstStep">Whether the buffer is created at this step (b ← g).</param>
    public SgdOperator(double learningRate, double momentum, double dampening, double weightDecay, bool nesterov, bool firstStep)
    {
        _negativeLearningRate = (float)-learningRate;
        _weightDecay = (float)weightDecay;
        _momentum = (float)momentum;
        _dampeningComplement = (float)(1 - dampening);
        _hasWeightDecay = weightDecay != 0;
        _hasMomentum = momentum != 0;
        _nesterov = nesterov;
        _firstStep = firstStep;
    }

    public int StateCount => _hasMomentum ? 1 : 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (float P, float S1, float S2, float S3) Compute(float p, float g, float s1, float s2, float s3)
    {
        if (_hasWeightDecay) g = MathF.FusedMultiplyAdd(p, _weightDecay, g);
        if (_hasMomentum)
        {
            s1 = _firstStep ? g : MathF.FusedMultiplyAdd(g, _dampeningComplement, s1 * _momentum);
            g = _nesterov ? MathF.FusedMultiplyAdd(s1, _momentum, g) : s1;
        }
        return (MathF.FusedMultiplyAdd(g, _negativeLearningRate, p), s1, s2, s3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (Vector128<float> P, Vector128<float> S1, Vector128<float> S2, Vector128<float> S3) Compute(
        Vector128<float> p, Vector128<float> g, Vector128<float> s1, Vector128<float> s2, Vector128<float> s3)
    {
        if (_hasWeightDecay) g = Vector128.FusedMultiplyAdd(p, Vector128.Create(_weightDecay), g);
        if (_hasMomentum)
        {
            s1 = _firstStep ? g : Vector128.FusedMultiplyAdd(g, Vector128.Create(_dampeningComplement), s1 * Vector128.Create(_momentum));
            g = _nesterov ? Vector128.FusedMultiplyAdd(s1, Vector128.Create(_momentum), g) : s1;
        }
        return (Vector128.FusedMultiplyAdd(g, Vector128.Create(_negativeLearningRate), p), s1, s2, s3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (Vector256<float> P, Vector256<float> S1, Vector256<float> S2, Vector256<float> S3) Compute(
        Vector256<float> p, Vector256<float> g, Vector256<float> s1, Vector256<float> s2, Vector256<float> s3)
    {
        if (_hasWeightDecay) g = Vector256.FusedMultiplyAdd(p, Vector256.Create(_weightDecay), g);
        if (_hasMomentum)
        {
            s1 = _firstStep ? g : Vector256.FusedMultiplyAdd(g, Vector256.Create(_dampeningComplement), s1 * Vector256.Create(_momentum));
            g = _nesterov ? Vector256.FusedMultiplyAdd(s1, Vector256.Create(_momentum), g) : s1;
        }
        return (Vector256.FusedMultiplyAdd(g, Vector256.Create(_negativeLearningRate), p), s1, s2, s3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (Vector512<float> P, Vector512<float> S1, Vector512<float> S2, Vector512<float> S3) Compute(
        Vector512<float> p, Vector512<float> g, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3)
    {
        if (_hasWeightDecay) g = Vector512.FusedMultiplyAdd(p, Vector512.Create(_weightDecay), g);
        if (_hasMomentum)
        {
            s1 = _firstStep ? g : Vector512.FusedMultiplyAdd(g, Vector512.Create(_dampeningComplement), s1 * Vector512.Create(_momentum));
            g = _nesterov ? Vector512.FusedMultiplyAdd(s1, Vector512.Create(_momentum), g) : s1;
        }
        return (Vector512.FusedMultiplyAdd(g, Vector512.Create(_negativeLearningRate), p), s1, s2, s3);
    }
}

/// <summary>
/// torch.optim.Adam and AdamW on one element (s1 = exp_avg m, s2 = exp_avg_sq v, s3 = max_exp_avg_sq for AMSGrad),
/// in the operation order of PyTorch's <c>_single_tensor_adam</c>: <c>p ← p·(1 − lr·λ)</c> (AdamW, λ ≠ 0) or
/// <c>g ← add(g, p, alpha = λ)</c> (Adam, λ ≠ 0); <c>m ← lerp(m, g, 1 − β1)</c>; <c>v ← fma((1 − β2)·g, g, v·β2)</c>;
/// AMSGrad: <c>s3 ← max(s3, v)</c>; <c>denom ← sqrt(v or s3) / sqrt(1 − β2^t) + ε</c>;
/// <c>p ← p + (−lr/(1 − β1^t))·m / denom</c>. The bias corrections and the step size are computed in double, as
/// torch computes them in Python floats, then rounded to float once.
/// </summary>
internal readonly struct AdamOperator : IOptimizerOperator
{
    private readonly float _decayFactor;        // 1 − lr·λ (AdamW)
    private readonly float _weightDecay;        // λ (Adam's L2 term)
    private readonly float _lerpWeight;         // 1 − β1, or (1 − β1) − 1 when |1 − β1| ≥ 0.5
    private readonly float _beta2;
    private readonly float _oneMinusBeta2;
    private readonly float _biasCorrection2Sqrt;
    private readonly float _epsilon;
    private readonly float _negativeStepSize;   // −lr/(1 − β1^t)
    private readonly bool _decoupled;
    private readonly bool _hasWeightDecay;
    private readonly bool _lerpWeightIsSmall;
    private readonly bool _amsGrad;

    /// <summary>The operator of step <paramref name="step"/> (1 for the first).</summary>
    public AdamOperator(double learningRate, double beta1, double beta2, double epsilon, double weightDecay, bool decoupled, bool amsGrad, long step)
    {
        _decoupled = decoupled && weightDecay != 0;
        _hasWeightDecay = !decoupled && weightDecay != 0;
        _decayFactor = (float)(1 - learningRate * weightDecay);
        _weightDecay = (float)weightDecay;
        float weight = (float)(1 - beta1);
        _lerpWeightIsSmall = MathF.Abs(weight) < 0.5f;
        _lerpWeight = _lerpWeightIsSmall ? weight : weight - 1f;
        _beta2 = (float)beta2;
        _oneMinusBeta2 = (float)(1 - beta2);
        double biasCorrection1 = 1 - Math.Pow(beta1, step);
        double biasCorrection2 = 1 - Math.Pow(beta2, step);
        _biasCorrection2Sqrt = (float)Math.Sqrt(biasCorrection2);
        _epsilon = (float)epsilon;
        _negativeStepSize = (float)-(learningRate / biasCorrection1);
        _amsGrad = amsGrad;
    }

    public int StateCount => _amsGrad ? 3 : 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (float P, float S1, float S2, float S3) Compute(float p, float g, float m, float v, float vMax)
    {
        if (_decoupled) p *= _decayFactor;
        if (_hasWeightDecay) g = MathF.FusedMultiplyAdd(p, _weightDecay, g);
        float difference = g - m;
        m = MathF.FusedMultiplyAdd(_lerpWeight, difference, _lerpWeightIsSmall ? m : g);
        v = MathF.FusedMultiplyAdd(_oneMinusBeta2 * g, g, v * _beta2);
        if (_amsGrad) vMax = MathF.Max(vMax, v);
        float denominator = MathF.Sqrt(_amsGrad ? vMax : v) / _biasCorrection2Sqrt + _epsilon;
        return (p + _negativeStepSize * m / denominator, m, v, vMax);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (Vector128<float> P, Vector128<float> S1, Vector128<float> S2, Vector128<float> S3) Compute(
        Vector128<float> p, Vector128<float> g, Vector128<float> m, Vector128<float> v, Vector128<float> vMax)
    {
        if (_decoupled) p *= Vector128.Create(_decayFactor);
        if (_hasWeightDecay) g = Vector128.FusedMultiplyAdd(p, Vector128.Create(_weightDecay), g);
        Vector128<float> difference = g - m;
        m = Vector128.FusedMultiplyAdd(Vector128.Create(_lerpWeight), difference, _lerpWeightIsSmall ? m : g);
        v = Vector128.FusedMultiplyAdd(Vector128.Create(_oneMinusBeta2) * g, g, v * Vector128.Create(_beta2));
        if (_amsGrad) vMax = Vector128.Max(vMax, v);
        Vector128<float> denominator = Vector128.Sqrt(_amsGrad ? vMax : v) / Vector128.Create(_biasCorrection2Sqrt) + Vector128.Create(_epsilon);
        return (p + Vector128.Create(_negativeStepSize) * m / denominator, m, v, vMax);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (Vector256<float> P, Vector256<float> S1, Vector256<float> S2, Vector256<float> S3) Compute(
        Vector256<float> p, Vector256<float> g, Vector256<float> m, Vector256<float> v, Vector256<float> vMax)
    {
        if (_decoupled) p *= Vector256.Create(_decayFactor);
        if (_hasWeightDecay) g = Vector256.FusedMultiplyAdd(p, Vector256.Create(_weightDecay), g);
        Vector256<float> difference = g - m;
        m = Vector256.FusedMultiplyAdd(Vector256.Create(_lerpWeight), difference, _lerpWeightIsSmall ? m : g);
        v = Vector256.FusedMultiplyAdd(Vector256.Create(_oneMinusBeta2) * g, g, v * Vector256.Create(_beta2));
        if (_amsGrad) vMax = Vector256.Max(vMax, v);
        Vector256<float> denominator = Vector256.Sqrt(_amsGrad ? vMax : v) / Vector256.Create(_biasCorrection2Sqrt) + Vector256.Create(_epsilon);
        return (p + Vector256.Create(_negativeStepSize) * m / denominator, m, v, vMax);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (Vector512<float> P, Vector512<float> S1, Vector512<float> S2, Vector512<float> S3) Compute(
        Vector512<float> p, Vector512<float> g, Vector512<float> m, Vector512<float> v, Vector512<float> vMax)
    {
        if (_decoupled) p *= Vector512.Create(_decayFactor);
        if (_hasWeightDecay) g = Vector512.FusedMultiplyAdd(p, Vector512.Create(_weightDecay), g);
        Vector512<float> difference = g - m;
        m = Vector512.FusedMultiplyAdd(Vector512.Create(_lerpWeight), difference, _lerpWeightIsSmall ? m : g);
        v = Vector512.FusedMultiplyAdd(Vector512.Create(_oneMinusBeta2) * g, g, v * Vector512.Create(_beta2));
        if (_amsGrad) vMax = Vector512.Max(vMax, v);
        Vector512<float> denominator = Vector512.Sqrt(_amsGrad ? vMax : v) / Vector512.Create(_biasCorrection2Sqrt) + Vector512.Create(_epsilon);
        return (p + Vector512.Create(_negativeStepSize) * m / denominator, m, v, vMax);
    }
}

/// <summary>
/// Clipping by value, <c>clamp(g, −c, c)</c>, as PyTorch's <c>clip_grad_value_</c>: min(max(g, −c), c), a NaN
/// gradient stays NaN (IEEE maximum and minimum propagate NaN on every path).
/// </summary>
internal readonly struct ClampOperator(float limit) : IUnaryOperator
{
    public float Invoke(float x) => MathF.Min(MathF.Max(x, -limit), limit);
    public Vector128<float> Invoke(Vector128<float> x) => Vector128.Min(Vector128.Max(x, Vector128.Create(-limit)), Vector128.Create(limit));
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Min(Vector256.Max(x, Vector256.Create(-limit)), Vector256.Create(limit));
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Min(Vector512.Max(x, Vector512.Create(-limit)), Vector512.Create(limit));
}
