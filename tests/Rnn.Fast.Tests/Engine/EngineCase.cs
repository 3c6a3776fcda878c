using FsCheck;
using FsCheck.Fluent;
using Rnn.Fast.Kernels;

namespace Rnn.Fast.Tests.Engine;

/// <summary>
/// One random engine problem: sizes n, d, h, o, T, whether H_0 is given, and a seed for every value. FsCheck draws
/// the sizes (and shrinks them towards 1); the values come from the seed, so a failing case is reproducible from its
/// printed form alone.
/// </summary>
public sealed record EngineCase(int BatchSize, int InputSize, int HiddenSize, int OutputSize, int SequenceLength, bool GivenInitialHidden, int Seed)
{
    /// <summary>Sizes where vector code changes behaviour: 1, vector widths (4, 8, 16 lanes) ± 1, tile rows (4, 6) ± 1, primes.</summary>
    private static readonly int[] HiddenEdges = [1, 2, 3, 4, 5, 7, 8, 9, 13, 15, 16, 17, 31, 32, 33, 47, 48, 49, 63, 64, 65, 67, 70];

    /// <summary>h and o where the fused small layer changes behaviour: 1, and 16, 32, 48, 64 ± 1 (whole and partial last vectors).</summary>
    private static readonly int[] SmallLayerEdges = [1, 15, 16, 17, 31, 32, 33, 47, 48, 49, 63, 64];

    private static readonly int[] InputEdges = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 37, 40];

    private static Gen<int> Size(int[] edges, int max) => Gen.OneOf(Gen.Elements(edges), Gen.Choose(1, max));

    /// <summary>n 1..8, d 1..40, h 1..70, o 1..10, T 1..20 (past every tile and vector width on every path), half of d and h from the edge sizes.</summary>
    public static Arbitrary<EngineCase> Arbitrary { get; } = Arb.From(
        from n in Gen.Choose(1, 8)
        from d in Size(InputEdges, 40)
        from h in Size(HiddenEdges, 70)
        from o in Gen.Choose(1, 10)
        from T in Gen.Choose(1, 20)
        from given in Gen.Elements(true, false)
        from seed in Gen.Choose(0, int.MaxValue)
        select new EngineCase(n, d, h, o, T, given, seed),
        Shrink);

    /// <summary>
    /// The fused small layer's shapes: h 1..64 and o 1..64 (one to four 16-float vectors each, full and partial), n 1..4,
    /// d 1..40, T 1..6, half of h and o from the edge sizes.
    /// </summary>
    public static Arbitrary<EngineCase> SmallLayer { get; } = Arb.From(
        from n in Gen.Choose(1, 4)
        from d in Size(InputEdges, 40)
        from h in Size(SmallLayerEdges, 64)
        from o in Size(SmallLayerEdges, 64)
        from T in Gen.Choose(1, 6)
        from given in Gen.Elements(true, false)
        from seed in Gen.Choose(0, int.MaxValue)
        select new EngineCase(n, d, h, o, T, given, seed),
        Shrink);

    private static IEnumerable<EngineCase> Shrink(EngineCase c)
    {
        if (c.BatchSize > 1) yield return c with { BatchSize = c.BatchSize - 1 };
        if (c.InputSize > 1) yield return c with { InputSize = c.InputSize - 1 };
        if (c.HiddenSize > 1) yield return c with { HiddenSize = c.HiddenSize - 1 };
        if (c.OutputSize > 1) yield return c with { OutputSize = c.OutputSize - 1 };
        if (c.SequenceLength > 1) yield return c with { SequenceLength = c.SequenceLength - 1 };
    }

    /// <summary>The network's sizes.</summary>
    public RnnShape Shape => new(InputSize, HiddenSize, OutputSize);

    /// <summary>Parameters uniform in ±1/√h, the initializer's range (what real models start from).</summary>
    public float[] Parameters() => Uniform(Shape.ParameterCount, (float)(1 / Math.Sqrt(HiddenSize)), 0);

    /// <summary>X, T·n·d values uniform in ±1.</summary>
    public float[] Inputs() => Uniform(SequenceLength * BatchSize * InputSize, 1, 1);

    /// <summary>H_0: n·h values uniform in ±1 when the case gives one, else empty (zeros).</summary>
    public float[] InitialHidden() => GivenInitialHidden ? Uniform(BatchSize * HiddenSize, 1, 2) : [];

    /// <summary>Targets for <paramref name="loss"/>, uniform in ±1.</summary>
    public float[] Targets(LossKind loss) => Uniform(OutputCount(loss), 1, 3);

    /// <summary>Output gradients for a backward pass over the outputs <paramref name="loss"/> compares, uniform in ±1.</summary>
    public float[] OutputGradients(LossKind loss) => Uniform(OutputCount(loss), 1, 4);

    /// <summary>How many outputs <paramref name="loss"/> compares: n·o or T·n·o.</summary>
    public int OutputCount(LossKind loss) =>
        loss == LossKind.LastOutputMeanSquaredError ? BatchSize * OutputSize : SequenceLength * BatchSize * OutputSize;

    /// <summary>The loss this case uses where only one is run: both kinds appear, chosen by the seed.</summary>
    public LossKind Loss => Seed % 2 == 0 ? LossKind.LastOutputMeanSquaredError : LossKind.AllOutputsMeanSquaredError;

    /// <summary>A model with this case's parameters whose kernels run <paramref name="path"/>.</summary>
    public RnnModel Model(InstructionSet path) => new(Shape, Parameters(), path);

    private float[] Uniform(int count, float bound, int stream)
    {
        // Not HashCode.Combine: its seed changes per process, and a printed case must give the same values again.
        var random = new Random(unchecked(Seed * 31 + stream));
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * bound);
        return values;
    }
}
