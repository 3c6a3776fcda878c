using System.Globalization;

namespace Rnn.Fast.Cli.Demo;

/// <summary>
/// <c>rnn demo</c>, the tutorial: train a small network to continue arithmetic sequences of odd numbers, show the
/// loss falling, then ask it what follows 1, 3, 5, 7, 9 and a window it never saw.
/// </summary>
public static class DemoCommand
{
    /// <summary>How many progress lines to print, roughly.</summary>
    private const int ProgressLines = 12;

    /// <summary>Runs the demo on the engine <paramref name="options"/> names and writes its story to <paramref name="output"/>.</summary>
    /// <param name="options">Seed, epochs, learning rate, hidden size and engine.</param>
    /// <param name="output">Where the story goes.</param>
    /// <returns>The predictions and the final loss.</returns>
    public static DemoResult Run(DemoOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Engine == DemoEngine.Reference
            ? Run(options, output, (shape, parameters) => new ReferenceTrainingEngine(shape, parameters))
            : Run(options, output, (shape, parameters) => new FastTrainingEngine(shape, parameters));
    }

    /// <summary>Runs the demo on the engine that <paramref name="createEngine"/> builds.</summary>
    /// <param name="options">Seed, epochs, learning rate and hidden size.</param>
    /// <param name="output">Where the story goes.</param>
    /// <param name="createEngine">Builds an engine from a shape and its seeded float parameters.</param>
    /// <returns>The predictions and the final loss.</returns>
    public static DemoResult Run(DemoOptions options, TextWriter output, Func<RnnShape, float[], ITrainingEngine> createEngine)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(createEngine);
        CultureInfo invariant = CultureInfo.InvariantCulture;

        var shape = new RnnShape(1, options.HiddenSize, 1);
        ITrainingEngine engine = createEngine(shape, ParameterInitialization.CreateUniform(shape, options.Seed));
        using var disposable = engine as IDisposable;
        IReadOnlyList<int> starts = OddNumberSequences.TrainingStarts;
        int n = starts.Count, T = OddNumberSequences.SequenceLength;
        float[] inputs = OddNumberSequences.Inputs(starts);
        float[] targets = OddNumberSequences.Targets(starts);
        float scale = OddNumberSequences.Scale;

        output.WriteLine("rnn demo: learn to predict the next number of an arithmetic sequence.");
        output.WriteLine(string.Create(invariant,
            $"  data:     {n} windows a, a+2, a+4, a+6, a+8 -> a+10 for odd a from {starts[0]} to {starts[^1]}, leaving out a = {OddNumberSequences.UnseenStart}"));
        output.WriteLine(string.Create(invariant,
            $"  scaling:  each number x enters as x/{scale} and each output y reads as {scale}*y, so tanh does not saturate"));
        output.WriteLine(string.Create(invariant,
            $"  model:    d=1, h={shape.HiddenSize}, o=1 ({shape.ParameterCount} parameters), uniform(+-1/sqrt(h)) from seed {options.Seed}"));
        output.WriteLine(string.Create(invariant,
            $"  training: {engine.Description} engine, full-batch gradient descent, learning rate {options.LearningRate}, {options.Epochs} steps"));
        output.WriteLine("  loss:     mean squared error of the last output, in scaled units (typical error = scale * sqrt(loss))");
        output.WriteLine();
        output.WriteLine("     step          loss   typical error");

        void Progress(int step, double loss) => output.WriteLine(string.Create(invariant,
            $"  {step,7}  {loss,12:0.000000e+00}  {scale * Math.Sqrt(loss),14:0.000}"));

        int interval = Math.Max(1, options.Epochs / ProgressLines);
        for (int step = 0; step < options.Epochs; step++)
        {
            double loss = engine.TrainStep(inputs, T, n, targets, options.LearningRate);
            if (step % interval == 0 || !double.IsFinite(loss)) Progress(step, loss);
            if (!double.IsFinite(loss))
            {
                // Too large a step overshoots until the parameters overflow; nothing after that means anything.
                output.WriteLine();
                output.WriteLine("Training diverged: the loss is no longer a finite number.");
                return new DemoResult(double.NaN, double.NaN, loss, DivergedAtStep: step);
            }
        }

        var trained = new float[n];
        engine.PredictLast(inputs, T, n, trained);
        double finalLoss = 0;
        for (int b = 0; b < n; b++) finalLoss += ((double)trained[b] - targets[b]) * ((double)trained[b] - targets[b]);
        finalLoss /= n;
        Progress(options.Epochs, finalLoss);
        output.WriteLine();

        double Predict(int start)
        {
            Span<float> prediction = stackalloc float[1];
            engine.PredictLast(OddNumberSequences.Inputs([start]), T, 1, prediction);
            double value = scale * (double)prediction[0];
            output.WriteLine(string.Create(invariant,
                $"  {string.Join(", ", OddNumberSequences.Window(start))} -> {value:0.00}   (the next number is {OddNumberSequences.Next(start)})"));
            return value;
        }

        output.WriteLine("Predictions:");
        double tutorial = Predict(OddNumberSequences.TutorialStart);
        double unseen = Predict(OddNumberSequences.UnseenStart);
        output.WriteLine(string.Create(invariant,
            $"  ({OddNumberSequences.UnseenStart}, ..., {OddNumberSequences.Window(OddNumberSequences.UnseenStart)[^1]} was never trained on.)"));
        return new DemoResult(tutorial, unseen, finalLoss, DivergedAtStep: null);
    }
}
