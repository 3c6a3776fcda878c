using Rnn.Fast.Cli.Data;

namespace Rnn.Fast.Cli.Train;

/// <summary>
/// Runs the model forward over the validation windows (from H_0 = 0, as in training) in batches, for the validation
/// loss after each epoch and the hold-out predictions at the end. It has its own workspace, so it never disturbs the
/// training step's.
/// </summary>
public sealed class WindowEvaluator : IDisposable
{
    /// <summary>Windows per forward pass: bounds the buffers whatever the hold-out tail's length.</summary>
    private const int MaxBatch = 512;

    private readonly WindowedSeries _data;
    private readonly LossKind _loss;
    private readonly RnnWorkspace _workspace;
    private readonly float[] _inputs;
    private readonly float[] _targets;
    private readonly float[] _outputs;
    private readonly int[] _ends;

    /// <summary>Creates the evaluator.</summary>
    /// <param name="model">The model being trained.</param>
    /// <param name="data">The windows.</param>
    /// <param name="loss">The loss, as in training.</param>
    public WindowEvaluator(RnnModel model, WindowedSeries data, LossKind loss)
    {
        ArgumentNullException.ThrowIfNull(data);
        _data = data;
        _loss = loss;
        _workspace = new RnnWorkspace(model);
        int batch = Math.Min(MaxBatch, data.ValidationWindowCount), T = data.WindowLength;
        _inputs = new float[T * batch * data.FeatureCount];
        _targets = new float[T * batch];
        _outputs = new float[T * batch];
        _ends = new int[batch];
    }

    /// <summary>The loss over every validation window, in standardized units, with the model's current parameters.</summary>
    public double ValidationLoss()
    {
        double sum = 0;
        long count = 0;
        ForEachBatch((n, outputs, targets) =>
        {
            for (int i = 0; i < outputs.Length; i++)
            {
                double error = (double)outputs[i] - targets[i];
                sum += error * error;
            }

            count += outputs.Length;
        });
        return sum / count;
    }

    /// <summary>The standardized prediction of each validation window's next row (its last output), in order.</summary>
    public float[] PredictValidation()
    {
        var predictions = new float[_data.ValidationWindowCount];
        int filled = 0;
        int T = _data.WindowLength;
        ForEachBatch((n, outputs, _) =>
        {
            // The last step's outputs: all of them for the last-output loss, the final block of T for every-step.
            ReadOnlySpan<float> last = _loss == LossKind.LastOutputMeanSquaredError ? outputs : outputs.Slice((T - 1) * n, n);
            last.CopyTo(predictions.AsSpan(filled));
            filled += n;
        });
        return predictions;
    }

    /// <summary>Returns the workspace's buffers.</summary>
    public void Dispose() => _workspace.Dispose();

    private delegate void BatchAction(int batchSize, ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets);

    private void ForEachBatch(BatchAction action)
    {
        int T = _data.WindowLength, d = _data.FeatureCount;
        OutputSteps steps = _loss == LossKind.LastOutputMeanSquaredError ? OutputSteps.LastStep : OutputSteps.EveryStep;
        int perWindow = _loss == LossKind.LastOutputMeanSquaredError ? 1 : T;
        for (int start = 0; start < _data.ValidationWindowCount; start += _ends.Length)
        {
            int n = Math.Min(_ends.Length, _data.ValidationWindowCount - start);
            Span<int> ends = _ends.AsSpan(0, n);
            for (int b = 0; b < n; b++) ends[b] = _data.ValidationWindowEnd(start + b);
            Span<float> inputs = _inputs.AsSpan(0, T * n * d), targets = _targets.AsSpan(0, perWindow * n), outputs = _outputs.AsSpan(0, perWindow * n);
            _data.GatherInputs(ends, inputs);
            _data.GatherTargets(ends, _loss, targets);
            _workspace.Forward(inputs, T, n, steps, outputs);
            action(n, outputs, targets);
        }
    }
}
