namespace Rnn.Fast;

/// <summary>
/// Adam with PyTorch's semantics (torch.optim.Adam, its single-tensor implementation), step t = 1, 2, …:
/// <code>
/// g ← g + λ·p                                  (WeightDecay λ ≠ 0: an L2 term, coupled to the gradient)
/// m ← lerp(m, g, 1 − β1)                       (= β1·m + (1 − β1)·g)
/// v ← fma((1 − β2)·g, g, v·β2)                (= β2·v + (1 − β2)·g², as libtorch fuses addcmul)
/// v̂ ← max(v̂, v)                                (AmsGrad)
/// p ← p + (−lr / (1 − β1^t))·m / (sqrt(v or v̂) / sqrt(1 − β2^t) + ε)
/// </code>
/// Each line is one or two float32 operations per element in torch's order (lerp is fma(1 − β1, g − m, m)); the bias
/// corrections 1 − β^t, their square root and the step size are computed in double and rounded to float once, and
/// ε is added after the division by sqrt(1 − β2^t), as torch does. See <see cref="AdamWOptimizer"/> for decoupled
/// weight decay.
/// </summary>
/// <example><code>new AdamOptimizer { Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8, AmsGrad = true }</code></example>
public sealed record AdamOptimizer : Optimizer
{
    private readonly double _beta1 = 0.9;
    private readonly double _beta2 = 0.999;
    private readonly double _epsilon = 1e-8;
    private readonly double _weightDecay;

    /// <summary>torch's defaults: β1 = 0.9, β2 = 0.999, ε = 1e−8, no weight decay, no AMSGrad.</summary>
    public AdamOptimizer()
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

    /// <summary>The L2 penalty λ added to the gradient: finite and at least 0 (default 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative or non-finite value.</exception>
    public double WeightDecay { get => _weightDecay; init => _weightDecay = RequireNonNegative(value, nameof(WeightDecay)); }

    /// <summary>The AMSGrad variant: the denominator uses the running maximum of v (default false).</summary>
    public bool AmsGrad { get; init; }

    internal override TrainingStateKind StateKind => AmsGrad ? TrainingStateKind.AdamAmsGrad : TrainingStateKind.Adam;

    internal override double DefaultWeightDecay => WeightDecay;
}
