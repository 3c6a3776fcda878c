namespace Rnn.Fast;

/// <summary>
/// Cosine annealing, PyTorch's <c>CosineAnnealingLR(T_max, eta_min)</c>: from the initial rate lr down to η_min over
/// <see cref="Length"/> steps along half a cosine, lr_k = η_min + (lr − η_min)·(1 + cos(π·k/T))/2 in exact arithmetic.
/// </summary>
/// <remarks>
/// The rates follow torch's chainable recurrence, in its operation order:
/// lr_k = (1 + cos(π·k/T)) / (1 + cos(π·(k − 1)/T))·(lr_{k−1} − η_min) + η_min, except when (k − 1 − T) is a multiple of
/// 2T, where lr_k = lr_{k−1} + (lr − η_min)·(1 − cos(π/T))/2. Past T the rate rises again (torch's schedule is
/// periodic with period 2T); stop at T, or keep the count below it.
/// </remarks>
/// <example><code>new CosineAnnealingSchedule(length: 10_000, minimumLearningRate: 1e-5)</code></example>
public sealed record CosineAnnealingSchedule : LearningRateSchedule
{
    private readonly long _length;
    private readonly double _minimumLearningRate;

    /// <summary>Anneals over <paramref name="length"/> steps down to <paramref name="minimumLearningRate"/>.</summary>
    /// <param name="length">T (torch's <c>T_max</c>), in training steps: at least 1.</param>
    /// <param name="minimumLearningRate">η_min (torch's <c>eta_min</c>): finite and at least 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of its range.</exception>
    public CosineAnnealingSchedule(long length, double minimumLearningRate = 0)
    {
        Length = length;
        MinimumLearningRate = minimumLearningRate;
    }

    /// <summary>T, the number of steps from the initial rate down to η_min: at least 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1.</exception>
    public long Length
    {
        get => _length;
        init
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(Length), value, $"{nameof(Length)} must be at least 1, but is {value}.");
            _length = value;
        }
    }

    /// <summary>η_min, the rate at step T: finite and at least 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative or non-finite value.</exception>
    public double MinimumLearningRate
    {
        get => _minimumLearningRate;
        init
        {
            if (!double.IsFinite(value) || value < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(MinimumLearningRate), value, $"{nameof(MinimumLearningRate)} must be finite and at least 0, but is {value}.");
            }
            _minimumLearningRate = value;
        }
    }

    internal override double Next(double previous, double initialLearningRate, long step)
    {
        // Python evaluates math.pi * k / T as (π·k)/T with k and T converted to double; so does this.
        double length = Length, minimum = MinimumLearningRate;
        if ((step - 1 - Length) % (2 * Length) == 0)
        {
            return previous + (initialLearningRate - minimum) * (1 - Math.Cos(Math.PI / length)) / 2;
        }
        return (1 + Math.Cos(Math.PI * step / length)) / (1 + Math.Cos(Math.PI * (step - 1) / length)) * (previous - minimum) + minimum;
    }
}
