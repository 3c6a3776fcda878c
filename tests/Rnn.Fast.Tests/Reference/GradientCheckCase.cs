using FsCheck;
using FsCheck.Fluent;
using Rnn.Fast.Reference;

namespace Rnn.Fast.Tests.Reference;

/// <summary>
/// One random problem for the gradient check: sizes n, d, h, o, T and a seed for the values. FsCheck draws the
/// sizes (and shrinks them towards 1); the values come from the seed, so a failing case is reproducible from its
/// printed form alone.
/// </summary>
public sealed record GradientCheckCase(int BatchSize, int InputSize, int HiddenSize, int OutputSize, int SequenceLength, int Seed)
{
    /// <summary>n 1..4, d 1..6, h 1..8, o 1..4, T 1..6: every loop runs both once and several times.</summary>
    public static Arbitrary<GradientCheckCase> Arbitrary()
    {
        Gen<GradientCheckCase> generator =
            from n in Gen.Choose(1, 4)
            from d in Gen.Choose(1, 6)
            from h in Gen.Choose(1, 8)
            from o in Gen.Choose(1, 4)
            from T in Gen.Choose(1, 6)
            from seed in Gen.Choose(0, int.MaxValue)
            select new GradientCheckCase(n, d, h, o, T, seed);
        return Arb.From(generator, Shrink);
    }

    /// <summary>The same problem with one size made smaller by one (the seed kept).</summary>
    private static IEnumerable<GradientCheckCase> Shrink(GradientCheckCase c)
    {
        if (c.BatchSize > 1) yield return c with { BatchSize = c.BatchSize - 1 };
        if (c.InputSize > 1) yield return c with { InputSize = c.InputSize - 1 };
        if (c.HiddenSize > 1) yield return c with { HiddenSize = c.HiddenSize - 1 };
        if (c.OutputSize > 1) yield return c with { OutputSize = c.OutputSize - 1 };
        if (c.SequenceLength > 1) yield return c with { SequenceLength = c.SequenceLength - 1 };
    }

    /// <summary>The network's sizes.</summary>
    public RnnShape Shape => new(InputSize, HiddenSize, OutputSize);

    /// <summary>
    /// Parameters uniform in ±1.5/√h (a little wider than the initializer's ±1/√h, so tanh works in its curved
    /// part), inputs, H_0 and targets uniform in ±1.
    /// </summary>
    public (double[] Parameters, double[] Inputs, double[] InitialHidden, double[] Targets) Values(LossKind loss)
    {
        var random = new Random(Seed);
        double[] Uniform(int count, double bound) =>
            [.. Enumerable.Range(0, count).Select(_ => bound * (2 * random.NextDouble() - 1))];

        int targetCount = loss == LossKind.LastOutputMeanSquaredError
            ? BatchSize * OutputSize
            : SequenceLength * BatchSize * OutputSize;
        return (
            Uniform(Shape.ParameterCount, 1.5 / Math.Sqrt(HiddenSize)),
            Uniform(SequenceLength * BatchSize * InputSize, 1),
            Uniform(BatchSize * HiddenSize, 1),
            Uniform(targetCount, 1));
    }

    /// <summary>The loss as a function of the three things it is differentiated by.</summary>
    public double Loss(LossKind loss, double[] parameters, double[] inputs, double[] initialHidden, double[] targets) =>
        ReferenceRnn.Loss(
            ReferenceRnn.Forward(Shape, parameters, inputs, SequenceLength, BatchSize, initialHidden), targets, loss);
}
