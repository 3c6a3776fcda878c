namespace Rnn.Fast;

/// <summary>
/// A learning-rate schedule (<see cref="TrainingOptions.Schedule"/>): the learning rate of each step as a pure function
/// of the step count, with the bits of PyTorch's <c>torch.optim.lr_scheduler</c> in its usual loop
/// (<c>optimizer.step(); scheduler.step()</c> once per training step): <see cref="StepDecaySchedule"/> (StepLR),
/// <see cref="CosineAnnealingSchedule"/> (CosineAnnealingLR) and <see cref="LinearSchedule"/> (LinearLR, the linear
/// warm-up).
/// </summary>
/// <remarks>
/// <para>Which form: torch's schedulers compute each rate from the previous one (their "chainable" <c>get_lr</c>, what
/// <c>scheduler.step()</c> runs), not from a closed formula (<c>_get_closed_form_lr</c>, used only when a step number is
/// passed explicitly), and the two differ in the last bits of the double. These schedules follow the chainable
/// recurrence, in torch's operation order and in double, so lr_k has torch's bits for every k. The rate of step k is
/// still a function of k alone: <see cref="LearningRateAt"/> replays the recurrence from the initial rate, and the
/// training step advances it by one per step (so a long run costs one evaluation per step, and a resumed run the
/// replay once).</para>
/// <para>Step counts: k = 0 is the first training step (torch's <c>last_epoch</c> 0, right after the scheduler is
/// made); training step k + 1 uses lr_k. A schedule for torch's per-epoch loop (<c>scheduler.step()</c> once per
/// epoch) counts epochs; here it counts training steps, so give its lengths in steps.</para>
/// </remarks>
public abstract record LearningRateSchedule
{
    private protected LearningRateSchedule()
    {
    }

    /// <summary>
    /// The learning rate of step <paramref name="step"/> (0 for the first), from <paramref name="initialLearningRate"/>
    /// (torch's <c>initial_lr</c>, a group's <c>lr</c> when the scheduler was made): the recurrence replayed, so the
    /// cost grows with <paramref name="step"/>.
    /// </summary>
    /// <param name="initialLearningRate">The rate the schedule starts from: finite and at least 0.</param>
    /// <param name="step">The step count: at least 0.</param>
    /// <returns>lr_step, with the bits torch's scheduler gives after <paramref name="step"/> calls of <c>scheduler.step()</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialLearningRate"/> is negative or not finite, or
    /// <paramref name="step"/> is negative.</exception>
    public double LearningRateAt(double initialLearningRate, long step)
    {
        if (!double.IsFinite(initialLearningRate) || initialLearningRate < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(initialLearningRate), initialLearningRate, "The initial learning rate must be finite and at least 0.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        double rate = First(initialLearningRate);
        for (long k = 1; k <= step; k++) rate = Next(rate, initialLearningRate, k);
        return rate;
    }

    /// <summary>lr_0 from the initial rate (torch's <c>get_lr</c> at <c>last_epoch</c> 0).</summary>
    internal virtual double First(double initialLearningRate) => initialLearningRate;

    /// <summary>lr_k from lr_{k−1} (torch's chainable <c>get_lr</c> at <c>last_epoch</c> = k ≥ 1).</summary>
    internal abstract double Next(double previous, double initialLearningRate, long step);
}
