namespace Rnn.Fast;

/// <summary>
/// A linear ramp of the rate's factor, PyTorch's <c>LinearLR(start_factor, end_factor, total_iters)</c>: from
/// lr·<see cref="StartFactor"/> at step 0 to lr·<see cref="EndFactor"/> at step <see cref="Length"/>, then constant.
/// With a start factor below 1 and an end factor of 1 it is the usual linear warm-up.
/// </summary>
/// <remarks>
/// The rates follow torch's chainable recurrence, in its operation order: lr_0 = lr·s and, for 1 ≤ k ≤ L,
/// lr_k = lr_{k−1}·(1 + (e − s)/(L·s + (k − 1)·(e − s))); lr_k = lr_{k−1} after L.
/// </remarks>
/// <example><code>new LinearSchedule(startFactor: 0.01, endFactor: 1, length: 500)   // warm-up over 500 steps</code></example>
public sealed record LinearSchedule : LearningRateSchedule
{
    private readonly double _startFactor;
    private readonly double _endFactor;
    private readonly long _length;

    /// <summary>Ramps the factor from <paramref name="startFactor"/> to <paramref name="endFactor"/> over <paramref name="length"/> steps.</summary>
    /// <param name="startFactor">s, the factor at step 0: in (0, 1] (torch's default 1/3).</param>
    /// <param name="endFactor">e, the factor from step L on: in [0, 1] (torch's default 1).</param>
    /// <param name="length">L (torch's <c>total_iters</c>), in training steps: at least 1 (torch's default 5).</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of its range.</exception>
    public LinearSchedule(double startFactor, double endFactor, long length)
    {
        StartFactor = startFactor;
        EndFactor = endFactor;
        Length = length;
    }

    /// <summary>s, the factor at step 0: in (0, 1].</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set outside (0, 1].</exception>
    public double StartFactor
    {
        get => _startFactor;
        init
        {
            if (!(value > 0 && value <= 1)) throw new ArgumentOutOfRangeException(nameof(StartFactor), value, $"{nameof(StartFactor)} must be in (0, 1], but is {value}.");
            _startFactor = value;
        }
    }

    /// <summary>e, the factor from step L on: in [0, 1].</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set outside [0, 1].</exception>
    public double EndFactor
    {
        get => _endFactor;
        init
        {
            if (!(value >= 0 && value <= 1)) throw new ArgumentOutOfRangeException(nameof(EndFactor), value, $"{nameof(EndFactor)} must be in [0, 1], but is {value}.");
            _endFactor = value;
        }
    }

    /// <summary>L, the number of steps of the ramp: at least 1.</summary>
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

    internal override double First(double initialLearningRate) => initialLearningRate * StartFactor;

    internal override double Next(double previous, double initialLearningRate, long step)
    {
        if (step > Length) return previous;
        double difference = EndFactor - StartFactor;
        return previous * (1.0 + difference / (Length * StartFactor + (step - 1) * difference));
    }
}
