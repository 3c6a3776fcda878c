using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Rnn.Fast.Cli.Train;

/// <summary>
/// Progress as a live Spectre.Console bar on a terminal: epoch, step, the running training loss, the last validation
/// loss, the bar, the time so far and the time left (estimated from the steps done). The description is redrawn at
/// most every 50 ms, so tiny steps are not slowed by the display. When the run ends, one line per epoch is not kept;
/// the summary after training gives the final losses.
/// </summary>
/// <param name="console">The terminal's console.</param>
public sealed class LiveTrainingProgress(IAnsiConsole console) : ITrainingProgress
{
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(50);

    private readonly Stopwatch _sinceRedraw = Stopwatch.StartNew();
    private ProgressTask? _task;
    private TrainingPlan? _plan;
    private double _validationLoss = double.NaN;

    /// <inheritdoc/>
    public T Run<T>(TrainingPlan plan, Func<T> training)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(training);
        _plan = plan;
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                _task = context.AddTask(Describe(0, 0, double.NaN), maxValue: plan.TotalSteps);
                T result = training();
                _task.Value = plan.TotalSteps;
                return result;
            });
    }

    /// <inheritdoc/>
    public void StepCompleted(int epoch, int step, double runningLoss)
    {
        if (_task is null) return;
        _task.Increment(1);
        if (_sinceRedraw.Elapsed < RedrawInterval) return;
        _sinceRedraw.Restart();
        _task.Description = Describe(epoch, step, runningLoss);
    }

    /// <inheritdoc/>
    public void EpochCompleted(EpochResult result, TimeSpan elapsed, TimeSpan remaining)
    {
        ArgumentNullException.ThrowIfNull(result);
        _validationLoss = result.ValidationLoss;
        if (_task is not null) _task.Description = Describe(result.Epoch, _plan!.StepsPerEpoch, result.TrainingLoss);
    }

    private string Describe(int epoch, int step, double trainingLoss) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {epoch}/{_plan!.Epochs}  step {step}/{_plan.StepsPerEpoch}  training {Loss(trainingLoss)}  validation {Loss(_validationLoss)}");

    private static string Loss(double value) => double.IsNaN(value) ? "-" : value.ToString("0.0000", CultureInfo.InvariantCulture);
}
