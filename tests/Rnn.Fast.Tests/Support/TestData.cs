using FsCheck;
using FsCheck.Fluent;

namespace Rnn.Fast.Tests.Support;

/// <summary>A span length drawn by <see cref="TestData.Arbitraries"/>: 1..300, biased toward edge cases.</summary>
/// <param name="Value">The length.</param>
public readonly record struct SpanLength(int Value);

/// <summary>A matrix shape drawn by <see cref="TestData.Arbitraries"/>: rows and columns in 1..300 (rows·columns ≤ 20,000) and a leading dimension of columns plus 0..3.</summary>
/// <param name="Rows">The number of rows.</param>
/// <param name="Columns">The number of columns.</param>
/// <param name="LeadingDimension">The distance between row starts.</param>
public readonly record struct MatrixShape(int Rows, int Columns, int LeadingDimension);

/// <summary>Generators and fills for kernel tests.</summary>
public static class TestData
{
    /// <summary>
    /// Lengths where vector code tends to break: 1, vector widths ± 1 (4, 8, 16 floats and multiples) and small primes.
    /// </summary>
    public static readonly int[] EdgeLengths = [1, 2, 3, 4, 5, 7, 8, 9, 11, 13, 15, 16, 17, 31, 32, 33, 47, 48, 49, 63, 64, 65, 127, 128, 129, 257];

    /// <summary>Primes below 300: lengths that are no multiple of any vector width.</summary>
    public static readonly int[] Primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 37, 41, 53, 61, 67, 79, 97, 101, 127, 131, 163, 191, 211, 251, 257, 283, 293];

    private static readonly Gen<int> LengthGen = Gen.Frequency(
        (4, Gen.Elements(EdgeLengths)),
        (2, Gen.Elements(Primes)),
        (4, Gen.Choose(1, 300)));

    /// <summary>Every instruction-set path this process supports, as xunit theory data (<c>[MemberData(nameof(TestData.SupportedPaths), MemberType = typeof(TestData))]</c>).</summary>
    public static TheoryData<Rnn.Fast.Kernels.InstructionSet> SupportedPaths()
    {
        var data = new TheoryData<Rnn.Fast.Kernels.InstructionSet>();
        foreach (Rnn.Fast.Kernels.InstructionSet path in Rnn.Fast.Kernels.KernelDispatch.Supported) data.Add(path);
        return data;
    }

    /// <summary>FsCheck arbitraries for <see cref="SpanLength"/> and <see cref="MatrixShape"/>; name this class in <c>[Property(Arbitrary = …)]</c>.</summary>
    public static class Arbitraries
    {
        /// <summary>Span lengths, see <see cref="SpanLength"/>.</summary>
        public static Arbitrary<SpanLength> Lengths() => LengthGen.Select(n => new SpanLength(n)).ToArbitrary();

        /// <summary>Matrix shapes, see <see cref="MatrixShape"/>.</summary>
        public static Arbitrary<MatrixShape> Shapes() =>
            (from rows in LengthGen
             from columns in LengthGen
             from pad in Gen.Choose(0, 3)
             select new MatrixShape(Math.Max(1, Math.Min(rows, 20_000 / columns)), columns, columns + pad)).ToArbitrary();
    }

    /// <summary>A new array of <paramref name="length"/> uniform values in [−range, range).</summary>
    /// <param name="random">The seeded source.</param>
    /// <param name="length">The length.</param>
    /// <param name="range">The half-width of the interval.</param>
    public static float[] Uniform(Random random, int length, float range)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * range);
        return values;
    }

    /// <summary>A new array filled with NaN, so an element a kernel forgot to write fails any comparison.</summary>
    /// <param name="length">The length.</param>
    public static float[] NaNFilled(int length)
    {
        var values = new float[length];
        Array.Fill(values, float.NaN);
        return values;
    }

    /// <summary>Special values: NaN, ±∞, ±0, subnormals, the extremes of float and values around tanh's saturation.</summary>
    public static readonly float[] SpecialValues =
    [
        float.NaN, -float.NaN, BitConverter.UInt32BitsToSingle(0x7FC1_2345), float.PositiveInfinity, float.NegativeInfinity,
        0f, -0f, float.Epsilon, -float.Epsilon, 1e-40f, -1e-40f, 1.1754942e-38f, 1.17549435e-38f, -1.17549435e-38f,
        float.MaxValue, float.MinValue, 1e38f, -1e38f, 1e20f, -3e9f, 1f, -1f, 0.5625f, -0.5625f, 0.56249994f,
        1.2207031e-4f, 1.2207030e-4f, 9f, 9.01f, -9.5f, 9.5f, 20f, 88.7f, -100f, 1e-7f, -1e-20f,
    ];
}
