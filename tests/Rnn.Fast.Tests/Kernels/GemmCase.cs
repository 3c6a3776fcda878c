using FsCheck;
using FsCheck.Fluent;

namespace Rnn.Fast.Tests.Kernels;

/// <summary>A random GEMM problem: sizes, strides padding and a seed for the values.</summary>
public sealed record GemmCase(int M, int N, int K, int PadA, int PadB, int PadC, int Seed)
{
    /// <summary>
    /// Sizes 1..300, half of them from the values where kernels change behaviour: 1, primes, and the vector widths
    /// and tile sizes ± 1 (4, 6, 8, 16, 64 lanes; 6-row tiles; 256-deep blocks; 120-row blocks).
    /// </summary>
    private static readonly int[] Edges = [1, 2, 3, 5, 6, 7, 8, 9, 13, 15, 16, 17, 31, 32, 33, 63, 64, 65, 119, 120, 121, 127, 128, 129, 255, 256, 257, 293];

    private static Gen<int> Size(int max) =>
        Gen.OneOf(Gen.Elements(Edges.Where(e => e <= max).ToArray()), Gen.Choose(1, max));

    /// <summary>
    /// Cases whose work M·N·K stays below 2.5 million multiply-adds, so that 200 cases on four paths plus the
    /// double-precision reference take a few seconds (and well under a minute with the software FMA that the scalar
    /// path uses when the runtime's AVX2 switch is off).
    /// </summary>
    public static Arbitrary<GemmCase> Arbitrary { get; } =
        (from m in Size(300)
         from n in Size(300)
         from k in Size(300)
         from padA in Gen.Elements(0, 0, 3)
         from padB in Gen.Elements(0, 0, 5)
         from padC in Gen.Elements(0, 0, 1)
         from seed in Gen.Choose(0, int.MaxValue)
         where (long)m * n * k <= 2_500_000
         select new GemmCase(m, n, k, padA, padB, padC, seed)).ToArbitrary();

    /// <summary>Random values in [−1, 1), from the case's seed.</summary>
    public float[] Values(int count, int stream)
    {
        var random = new Random(unchecked(Seed * 1_000_003 + stream)); // deterministic, so a replayed case gets the same values
        var values = new float[count];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
