namespace Rnn.Fast.Cli.Train;

/// <summary>
/// The one place that turns <see cref="TrainOptions"/> into the step the training loop runs. Today that is plain
/// SGD; an optimizer option adds its case here (and its state to the model file's sections).
/// </summary>
public static class TrainingStepFactory
{
    /// <summary>Builds the training step for <paramref name="model"/>.</summary>
    /// <param name="options">The training options.</param>
    /// <param name="model">The model it updates.</param>
    public static ITrainingStep Create(TrainOptions options, RnnModel model)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(model);
        var engineOptions = new TrainingOptions((float)options.LearningRate)
        {
            MaxGradientNorm = options.MaxGradientNorm is double norm ? (float)norm : null,
            GuardNonFinite = true,
        };
        return new SgdTrainingStep(model, engineOptions, options.Loss, options.WindowLength);
    }
}
