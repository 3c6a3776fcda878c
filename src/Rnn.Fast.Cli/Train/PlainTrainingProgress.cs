using System.Globalization;

namespace Rnn.Fast.Cli.Train;

/// <summary>
/// Progress as plain lines, for pipes, files and CI logs: one line per epoch for up to <see cref="MaxLines"/> epochs,
/// otherwise every k-th epoch (and the last), each with the losses, the time so far and the time left.
/// </summary>
/// <param name="output">Where the lines go.</param>
public sealed class PlainTrainingProgress(TextWriter output) : ITrainingProgress
{
    /// <summary>The most epoch lines a run prints.</summary>
    public const int MaxLines = 25;

    private int _interval = 1;
    private int _epochs;

    /// <inheritdoc/>
    public T Run<T>(TrainingPlan plan, Func<T> training)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(training);
        _epochs = plan.Epochs;
        _interval = Math.Max(1, (plan.Epochs + MaxLines - 1) / MaxLines);
        output.WriteLine("    epoch   training loss   validation loss   elapsed   left");
        return training();
    }

    /// <inheritdoc/>
    public void StepCompleted(int epoch, int step, double runningLoss)
    {
    }

    /// <inheritdoc/>
    public void EpochCompleted(EpochResult result, TimeSpan elapsed, TimeSpan remaining)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Epoch % _interval != 0 && result.Epoch != _epochs && result.Epoch != 1) return;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {result.Epoch,7}   {result.TrainingLoss,13:0.000000}   {result.ValidationLoss,15:0.000000}   {elapsed.TotalSeconds,6:0.0} s {remaining.TotalSeconds,4:0.0} s"));
    }
}
