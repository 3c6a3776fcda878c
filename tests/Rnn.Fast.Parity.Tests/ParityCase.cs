using Rnn.Fast.Reference;

namespace Rnn.Fast.Parity.Tests;

/// <summary>
/// One parity problem: sizes n, d, h, o, T and a seed for the values. The parameters come from
/// <see cref="ParameterInitialization"/> (uniform ±1/√h, the range both torch and we initialize with); the
/// inputs X, the initial hidden state H_0 and the targets are uniform in ±1.
/// </summary>
public sealed record ParityCase(int BatchSize, int InputSize, int HiddenSize, int OutputSize, int SequenceLength, int Seed)
{
    /// <summary>The network's sizes.</summary>
    public RnnShape Shape => new(InputSize, HiddenSize, OutputSize);

    /// <summary>The parameters, exactly the floats our engines start from, widened to double.</summary>
    public double[] Parameters => ReferenceRnn.Widen(ParameterInitialization.CreateUniform(Shape, (ulong)Seed));

    /// <summary>X, T·n·d values, time-major.</summary>
    public double[] Inputs => Uniform(0, SequenceLength * BatchSize * InputSize);

    /// <summary>H_0, n·h values.</summary>
    public double[] InitialHidden => Uniform(1, BatchSize * HiddenSize);

    /// <summary>The targets the loss compares with: n·o values for the last output, T·n·o for all outputs.</summary>
    public double[] Targets(LossKind loss) => Uniform(2, loss == LossKind.LastOutputMeanSquaredError
        ? BatchSize * OutputSize
        : SequenceLength * BatchSize * OutputSize);

    /// <inheritdoc/>
    public override string ToString() =>
        $"n={BatchSize} d={InputSize} h={HiddenSize} o={OutputSize} T={SequenceLength} seed={Seed}";

    /// <summary>Values from their own stream (the seed and which buffer), so each buffer is independent of the others' sizes.</summary>
    private double[] Uniform(int stream, int count)
    {
        // Seeded directly (HashCode.Combine is randomized per process): the same values in every run.
        var random = new Random(unchecked(Seed * 3 + stream));
        var values = new double[count];
        for (int i = 0; i < count; i++) values[i] = 2 * random.NextDouble() - 1;
        return values;
    }
}
