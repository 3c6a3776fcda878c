namespace Rnn.Fast.Reference;

/// <summary>
/// The naive reference learning-rate schedules: the closed formulas of PyTorch's documentation for StepLR,
/// CosineAnnealingLR and LinearLR, in double. The engine's schedules follow torch's step-by-step (chainable)
/// recurrence instead; in exact arithmetic the two agree.
/// </summary>
public static class ReferenceSchedules
{
    /// <summary>StepLR: lr·γ^⌊k/s⌋.</summary>
    /// <param name="initialLearningRate">lr.</param>
    /// <param name="step">k, at least 0.</param>
    /// <param name="stepSize">s, at least 1.</param>
    /// <param name="gamma">γ.</param>
    /// <returns>The rate of step k.</returns>
    public static double StepDecay(double initialLearningRate, long step, long stepSize, double gamma)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepSize, 1);
        return initialLearningRate * Math.Pow(gamma, step / stepSize);
    }

    /// <summary>CosineAnnealingLR: η_min + (lr − η_min)·(1 + cos(π·k/T))/2.</summary>
    /// <param name="initialLearningRate">lr.</param>
    /// <param name="step">k, at least 0.</param>
    /// <param name="length">T, at least 1.</param>
    /// <param name="minimumLearningRate">η_min.</param>
    /// <returns>The rate of step k.</returns>
    public static double CosineAnnealing(double initialLearningRate, long step, long length, double minimumLearningRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        return minimumLearningRate + (initialLearningRate - minimumLearningRate) * (1 + Math.Cos(Math.PI * step / length)) / 2;
    }

    /// <summary>LinearLR: lr·(s + (e − s)·min(k, L)/L).</summary>
    /// <param name="initialLearningRate">lr.</param>
    /// <param name="step">k, at least 0.</param>
    /// <param name="startFactor">s.</param>
    /// <param name="endFactor">e.</param>
    /// <param name="length">L, at least 1.</param>
    /// <returns>The rate of step k.</returns>
    public static double Linear(double initialLearningRate, long step, double startFactor, double endFactor, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        return initialLearningRate * (startFactor + (endFactor - startFactor) * Math.Min(step, length) / length);
    }
}
