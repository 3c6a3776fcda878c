namespace Rnn.Fast.Cli.Demo;

/// <summary>
/// The demo's data: windows of five consecutive odd numbers a, a+2, …, a+8, each labelled with the next one, a+10,
/// scaled into the range where tanh is nearly linear.
/// </summary>
public static class OddNumberSequences
{
    /// <summary>T: five numbers per window.</summary>
    public const int SequenceLength = 5;

    /// <summary>Each number x enters the network as x / Scale, and an output y reads as Scale·y. The largest number
    /// in the data, 49, becomes 0.98: inputs stay where tanh has not saturated, and targets within ±1.</summary>
    public const float Scale = 50;

    /// <summary>The window the tutorial asks about: 1, 3, 5, 7, 9 (answer 11).</summary>
    public const int TutorialStart = 1;

    /// <summary>A window left out of training: 21, 23, 25, 27, 29 (answer 31).</summary>
    public const int UnseenStart = 21;

    /// <summary>The first numbers a of the training windows: every odd a from 1 to 39 except <see cref="UnseenStart"/>.</summary>
    public static IReadOnlyList<int> TrainingStarts { get; } =
        [.. Enumerable.Range(0, 20).Select(i => 2 * i + 1).Where(a => a != UnseenStart)];

    /// <summary>The numbers of the window that starts at <paramref name="start"/>.</summary>
    public static int[] Window(int start) => [.. Enumerable.Range(0, SequenceLength).Select(t => start + 2 * t)];

    /// <summary>The number that follows the window that starts at <paramref name="start"/>.</summary>
    public static int Next(int start) => start + 2 * SequenceLength;

    /// <summary>The scaled inputs of windows starting at <paramref name="starts"/>, time-major: [T][n][1].</summary>
    public static float[] Inputs(IReadOnlyList<int> starts)
    {
        int n = starts.Count;
        var inputs = new float[SequenceLength * n];
        for (int t = 0; t < SequenceLength; t++)
        {
            for (int b = 0; b < n; b++) inputs[t * n + b] = (starts[b] + 2 * t) / Scale;
        }

        return inputs;
    }

    /// <summary>The scaled targets (the next number) of windows starting at <paramref name="starts"/>: [n][1].</summary>
    public static float[] Targets(IReadOnlyList<int> starts) => [.. starts.Select(a => Next(a) / Scale)];
}
