namespace Rnn.Fast;

/// <summary>
/// Step decay, PyTorch's <c>StepLR(step_size, gamma)</c>: the rate is multiplied by γ every <see cref="StepSize"/> steps,
/// lr_k = lr_{k−1}·γ when k is a multiple of the step size, lr_{k−1} otherwise (torch's chainable form: after j decays
/// the rate is ((lr·γ)·γ)·…, j roundings, not lr·γ^j).
/// </summary>
/// <example><code>new StepDecaySchedule(stepSize: 1000, gamma: 0.5)</code></example>
public sealed record StepDecaySchedule : LearningRateSchedule
{
    private readonly long _stepSize;
    private readonly double _gamma;

    /// <summary>Decays by <paramref name="gamma"/> every <paramref name="stepSize"/> steps.</summary>
    /// <param name="stepSize">The period, in training steps: at least 1.</param>
    /// <param name="gamma">The factor: finite and at least 0 (torch's default is 0.1).</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of its range.</exception>
    public StepDecaySchedule(long stepSize, double gamma = 0.1)
    {
        StepSize = stepSize;
        Gamma = gamma;
    }

    /// <summary>The period, in training steps: at least 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1.</exception>
    public long StepSize
    {
        get => _stepSize;
        init
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(StepSize), value, $"{nameof(StepSize)} must be at least 1, but is {value}.");
            _stepSize = value;
        }
    }

    /// <summary>The factor γ: finite and at least 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative or non-finite value.</exception>
    public double Gamma
    {
        get => _gamma;
        init
        {
            if (!double.IsFinite(value) || value < 0) throw new ArgumentOutOfRangeException(nameof(Gamma), value, $"{nameof(Gamma)} must be finite and at least 0, but is {value}.");
            _gamma = value;
        }
    }

    internal override double Next(double previous, double initialLearningRate, long step) =>
        step % StepSize == 0 ? previous * Gamma : previous;
}
