namespace Rnn.Fast;

/// <summary>
/// Stochastic gradient descent with PyTorch's semantics (torch.optim.SGD, its single-tensor implementation):
/// <code>
/// g ← g + λ·p                         (WeightDecay λ ≠ 0)
/// b ← g                               (Momentum μ ≠ 0, first step)
/// b ← μ·b + (1 − dampening)·g         (Momentum μ ≠ 0, later steps)
/// g ← g + μ·b   (Nesterov)   or   g ← b
/// p ← p − lr·g
/// </code>
/// Each line is one float32 operation per element with fused multiply-adds where torch's CPU kernels fuse
/// (<c>add(x, y, alpha)</c> is fma(y, alpha, x)); the buffer starts as the first gradient, so dampening applies from
/// the second step on, as in torch. With every hyper-parameter 0 this is the plain step <c>p ← fma(g, −lr, p)</c>.
/// </summary>
/// <example><code>new SgdOptimizer { Momentum = 0.9, Nesterov = true, WeightDecay = 1e-4 }</code></example>
public sealed record SgdOptimizer : Optimizer
{
    private readonly double _momentum;
    private readonly double _dampening;
    private readonly double _weightDecay;

    /// <summary>Plain SGD: no momentum, no dampening, no weight decay.</summary>
    public SgdOptimizer()
    {
    }

    /// <summary>The momentum factor μ: finite and at least 0 (torch's <c>momentum</c>, default 0: no buffer).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative or non-finite value.</exception>
    public double Momentum { get => _momentum; init => _momentum = RequireNonNegative(value, nameof(Momentum)); }

    /// <summary>The dampening of the momentum: in [0, 1] (torch's <c>dampening</c>, default 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a value outside [0, 1].</exception>
    public double Dampening
    {
        get => _dampening;
        init
        {
            if (!(value >= 0 && value <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(Dampening), value, $"{nameof(Dampening)} must be in [0, 1], but is {value}.");
            }
            _dampening = value;
        }
    }

    /// <summary>The L2 penalty λ added to the gradient: finite and at least 0 (torch's <c>weight_decay</c>, default 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative or non-finite value.</exception>
    public double WeightDecay { get => _weightDecay; init => _weightDecay = RequireNonNegative(value, nameof(WeightDecay)); }

    /// <summary>Nesterov momentum (torch's <c>nesterov</c>): needs <see cref="Momentum"/> above 0 and <see cref="Dampening"/> 0.</summary>
    public bool Nesterov { get; init; }

    internal override TrainingStateKind StateKind => Momentum != 0 ? TrainingStateKind.SgdMomentum : TrainingStateKind.Sgd;

    internal override double DefaultWeightDecay => WeightDecay;

    internal override void Validate()
    {
        if (Nesterov && (Momentum <= 0 || Dampening != 0))
        {
            throw new ArgumentException(
                $"Nesterov momentum needs a momentum above 0 and zero dampening, but Momentum is {Momentum} and Dampening is {Dampening}.",
                nameof(Nesterov));
        }
    }
}
