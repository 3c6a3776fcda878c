namespace Rnn.Fast;

/// <summary>What one training step measured.</summary>
/// <param name="Loss">The loss before the update, as <see cref="RnnWorkspace.ComputeGradients"/> returns it.</param>
/// <param name="GradientNorm">The global Euclidean norm of every parameter gradient before clipping, when
/// <see cref="TrainingOptions.MaxGradientNorm"/> asked for clipping; null otherwise (not computed).</param>
/// <param name="GradientsClipped">Whether clipping scaled the gradients down (the norm exceeded the maximum).</param>
public readonly record struct TrainingStepResult(float Loss, double? GradientNorm, bool GradientsClipped)
{
    /// <summary>
    /// The learning rate the step gave Wxh, in double as the schedule computes it: the schedule's rate for this step
    /// (<see cref="TrainingOptions.LearningRate"/> without a schedule), which every tensor without a
    /// <see cref="ParameterGroup.LearningRate"/> of its own shares; 0 for a result not made by a training step.
    /// </summary>
    public double LearningRate { get; init; }
}
