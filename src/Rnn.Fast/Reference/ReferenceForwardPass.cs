namespace Rnn.Fast.Reference;

/// <summary>
/// Everything one reference forward pass computed, and the copies of its parameters and inputs that
/// <see cref="ReferenceRnn.Backward"/> needs: a snapshot, so later changes to the caller's buffers cannot skew it.
/// </summary>
/// <remarks>
/// Layouts are time-major and row-major. <see cref="HiddenStates"/> holds H_0..H_T, T+1 blocks of n·h, so that
/// H_0..H_{T−1} is one contiguous (T·n)×h matrix (as in oneDNN's workspace). <see cref="Outputs"/> holds
/// O_1..O_T, T blocks of n·o. Instances are immutable and thread-safe.
/// </remarks>
public sealed class ReferenceForwardPass
{
    private readonly double[] _parameters;
    private readonly double[] _inputs;
    private readonly double[] _hiddenStates;
    private readonly double[] _outputs;

    internal ReferenceForwardPass(RnnShape shape, int sequenceLength, int batchSize,
        double[] parameters, double[] inputs, double[] hiddenStates, double[] outputs)
    {
        Shape = shape;
        SequenceLength = sequenceLength;
        BatchSize = batchSize;
        _parameters = parameters;
        _inputs = inputs;
        _hiddenStates = hiddenStates;
        _outputs = outputs;
    }

    /// <summary>The network's sizes.</summary>
    public RnnShape Shape { get; }

    /// <summary>T, the number of time steps.</summary>
    public int SequenceLength { get; }

    /// <summary>n, the number of sequences in the batch.</summary>
    public int BatchSize { get; }

    /// <summary>The parameters the pass ran with, in <see cref="RnnShape"/>'s layout.</summary>
    public ReadOnlySpan<double> Parameters => _parameters;

    /// <summary>The inputs X_1..X_T, T·n·d values, time-major.</summary>
    public ReadOnlySpan<double> Inputs => _inputs;

    /// <summary>H_0..H_T, (T+1)·n·h values: H_t starts at t·n·h.</summary>
    public ReadOnlySpan<double> HiddenStates => _hiddenStates;

    /// <summary>O_1..O_T, T·n·o values: O_t starts at (t−1)·n·o.</summary>
    public ReadOnlySpan<double> Outputs => _outputs;

    /// <summary>O_T, the last step's outputs (n·o values).</summary>
    public ReadOnlySpan<double> LastOutput => Output(SequenceLength);

    /// <summary>H_t, the hidden states (n·h values) after step <paramref name="step"/>; step 0 is H_0.</summary>
    /// <param name="step">t, from 0 to T.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is outside 0..T.</exception>
    public ReadOnlySpan<double> HiddenState(int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(step, SequenceLength);
        int size = BatchSize * Shape.HiddenSize;
        return _hiddenStates.AsSpan(step * size, size);
    }

    /// <summary>O_t, the outputs (n·o values) of step <paramref name="step"/>.</summary>
    /// <param name="step">t, from 1 to T.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is outside 1..T.</exception>
    public ReadOnlySpan<double> Output(int step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(step, SequenceLength);
        int size = BatchSize * Shape.OutputSize;
        return _outputs.AsSpan((step - 1) * size, size);
    }
}
