using System.Diagnostics;
using System.Globalization;
using Rnn.Fast.Cli.Data;

namespace Rnn.Fast.Cli.Train;

/// <summary>
/// Mini-batch training over the windows: each epoch shuffles the training windows (<see cref="WindowShuffle"/>),
/// runs one <see cref="ITrainingStep"/> per batch (the last batch may be smaller), then measures the validation loss.
/// Everything that decides the parameters depends on the data, the options and the seed alone, so a run repeats
/// bit for bit.
/// </summary>
public static class TrainingLoop
{
    /// <summary>Trains and returns the losses of every epoch.</summary>
    /// <param name="data">The windows.</param>
    /// <param name="step">The training step (it updates the model).</param>
    /// <param name="evaluator">Measures the validation loss of the same model.</param>
    /// <param name="options">Epochs, batch size, seed and loss.</param>
    /// <param name="progress">Told of every step and epoch.</param>
    /// <param name="completedEpochs">Epochs an earlier run already took (resuming): their shuffles are replayed, so the
    /// order of the windows continues as if the run had never stopped, and training runs the epochs after them.</param>
    /// <exception cref="CommandFailedException">Training diverged: a NaN or infinity appeared (the message says where).</exception>
    public static IReadOnlyList<EpochResult> Run(WindowedSeries data, ITrainingStep step, WindowEvaluator evaluator, TrainOptions options, ITrainingProgress progress,
        int completedEpochs = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        int T = data.WindowLength, d = data.FeatureCount, batch = Math.Min(options.BatchSize, data.TrainingWindowCount);
        int perWindow = options.Loss == LossKind.LastOutputMeanSquaredError ? 1 : T;
        var plan = Plan(data, options);
        var order = new int[data.TrainingWindowCount];
        for (int i = 0; i < order.Length; i++) order[i] = data.TrainingWindowEnd(i);
        var shuffle = new WindowShuffle(options.Seed);
        var inputs = new float[T * batch * d];
        var targets = new float[perWindow * batch];
        var history = new List<EpochResult>(options.Epochs);
        var clock = Stopwatch.StartNew();
        for (int epoch = 1; epoch <= completedEpochs; epoch++) shuffle.Shuffle(order);

        for (int epoch = completedEpochs + 1; epoch <= options.Epochs; epoch++)
        {
            shuffle.Shuffle(order);
            double lossSum = 0;
            int windows = 0;
            for (int s = 0; s < plan.StepsPerEpoch; s++)
            {
                int start = s * batch, n = Math.Min(batch, order.Length - start);
                ReadOnlySpan<int> ends = order.AsSpan(start, n);
                data.GatherInputs(ends, inputs.AsSpan(0, T * n * d));
                data.GatherTargets(ends, options.Loss, targets.AsSpan(0, perWindow * n));
                float loss;
                try
                {
                    loss = step.Run(inputs.AsSpan(0, T * n * d), n, targets.AsSpan(0, perWindow * n));
                }
                catch (NonFiniteValueException error)
                {
                    throw Diverged(epoch, s + 1, plan, options, $"{error.Location} became {error.Value.ToString(CultureInfo.InvariantCulture)}", error);
                }

                lossSum += (double)loss * n;
                windows += n;
                progress.StepCompleted(epoch, s + 1, lossSum / windows);
            }

            double validation = evaluator.ValidationLoss();
            if (!double.IsFinite(validation))
            {
                throw Diverged(epoch, plan.StepsPerEpoch, plan, options, "the validation loss is no longer a finite number", null);
            }

            var result = new EpochResult(epoch, lossSum / windows, validation);
            history.Add(result);
            TimeSpan elapsed = clock.Elapsed;
            progress.EpochCompleted(result, elapsed, elapsed / (epoch - completedEpochs) * (options.Epochs - epoch));
        }

        return history;
    }

    /// <summary>The epochs and the steps per epoch that <see cref="Run"/> takes.</summary>
    /// <param name="data">The windows.</param>
    /// <param name="options">Epochs and batch size.</param>
    public static TrainingPlan Plan(WindowedSeries data, TrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        int batch = Math.Min(options.BatchSize, data.TrainingWindowCount);
        return new TrainingPlan(options.Epochs, (data.TrainingWindowCount + batch - 1) / batch);
    }

    private static CommandFailedException Diverged(int epoch, int step, TrainingPlan plan, TrainOptions options, string what, Exception? cause)
    {
        string message = string.Create(CultureInfo.InvariantCulture,
            $"training diverged in epoch {epoch}, step {step} of {plan.StepsPerEpoch}: {what}; no model was written. Try a smaller --learning-rate (it is {options.LearningRate}){(options.MaxGradientNorm is null ? " or clipping with --clip 1" : "")}");
        return cause is null ? new CommandFailedException(message) : new CommandFailedException(message, cause);
    }
}
