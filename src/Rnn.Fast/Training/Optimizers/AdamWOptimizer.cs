namespace Rnn.Fast;

/// <summary>
/// AdamW with PyTorch's semantics (torch.optim.AdamW, its single-tensor implementation): Adam whose weight decay is
/// decoupled from the gradient, applied to the parameter first,
/// <code>
/// p ← p·(1 − lr·λ)                             (WeightDecay λ ≠ 0; 1 − lr·λ in double, rounded to float once)
/// m ← lerp(m, g, 1 − β1)
/// v ← fma((1 − β2)·g, g, v·β2)                (= β2·v + (1 − β2)·g², as libtorch fuses addcmul)
/// v̂ ← max(v̂, v)                                (AmsGrad)
/// p ← p + (−lr / (1 − β1^t))·m / (sqrt(v or v̂) / sqrt(1 − β2^t) + ε)
/// </code>
/// with the same operation order and roundings as <see cref="AdamOptimizer"/>. The default weight decay is torch's
/// 0.01; put the biases in a <see cref="ParameterGroup"/> with <see cref="ParameterGroup.WeightDecay"/> 0 to exempt
/// them, as PyTorch recipes usually do.
/// </summary>
/// <example><code>new AdamWOptimizer { WeightDecay = 0.05 }</code></example>
public sealed record AdamWOptimizer : Optimizer
{
    private readonly double _beta1 = 0.9;
    private readonly double _beta2 = 0.999;
    private readonly double _epsilon = 1e-8;
    private readonly double _weightDecay = 0.01;

    /// <summary>torch's defaults: β1 = 0.9, β2 = 0.999, ε = 1e−8, weight decay 0.01, no AMSGrad.</summary>
    public AdamWOptimizer()
    {
    }

    /// <summary>β1, the decay of the first moment: in [0, 1) (default 0.9).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a value outside [0, 1).</exception>
    public double Beta1 { get => _beta1; init => _beta1 = RequireBeta(value, nameof(Beta1)); }

    /// <summary>β2, the decay of the second moment: in [0, 1) (default 0.999).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a value outside [0, 1).</exception>
    public double Beta2 { get => _beta2; init => _beta2 = RequireBeta(value, nameof(Beta2)); }

    /// <summary>ε, added to the denominator: finite and at least 0 (default 1e−8).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative or non-finite value.</exception>
    public double Epsilon { get => _epsilon; init => _epsilon = RequireNonNegative(value, nameof(Epsilon)); }

    /// <summary>The decoupled weight decay λ: finite and at least 0 (default 0.01).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative or non-finite value.</exception>
    public double WeightDecay { get => _weightDecay; init => _weightDecay = RequireNonNegative(value, nameof(WeightDecay)); }

    /// <summary>The AMSGrad variant: the denominator uses the running maximum of v (default false).</summary>
    public bool AmsGrad { get; init; }

    internal override TrainingStateKind StateKind => AmsGrad ? TrainingStateKind.AdamWAmsGrad : TrainingStateKind.AdamW;

    internal override double DefaultWeightDecay => WeightDecay;
}
