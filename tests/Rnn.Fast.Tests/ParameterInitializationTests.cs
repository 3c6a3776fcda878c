using FsCheck.Xunit;

namespace Rnn.Fast.Tests;

/// <summary>The seeded initializer follows its documented algorithm exactly and stays within ±1/√h.</summary>
public sealed class ParameterInitializationTests
{
    [Fact]
    public void SplitMix64MatchesTheReferenceSequence()
    {
        // The first outputs of Vigna's splitmix64.c from seed 1234567 (recomputed here with Python integers).
        var generator = new SplitMix64(1234567);

        Assert.Equal(6457827717110365317UL, generator.NextUInt64());
        Assert.Equal(3203168211198807973UL, generator.NextUInt64());
        Assert.Equal(9817491932198370423UL, generator.NextUInt64());
    }

    [Fact]
    public void ValuesFollowTheDocumentedAlgorithmBitForBit()
    {
        // d = 2, h = 4, o = 1: 33 parameters, bound 1/√4 = 1/2. Each value is (float)(((2k − 2^24)/2^24) / √h) with k the
        // top 24 bits of the next SplitMix64 output from seed 42; computed independently with Python.
        float[] parameters = ParameterInitialization.CreateUniform(new RnnShape(2, 4, 1), 42);

        Assert.Equal(33, parameters.Length);
        Assert.Equal(0.24156486988067627f, parameters[0]);
        Assert.Equal(-0.3400896191596985f, parameters[1]);
        Assert.Equal(-0.22139889001846313f, parameters[2]);
        Assert.Equal(-0.15580934286117554f, parameters[3]);
        Assert.Equal(0.14709460735321045f, parameters[32]);
    }

    [Fact]
    public void ANonPowerOfTwoHiddenSizeRoundsTheDoubleQuotientToFloat()
    {
        // h = 3: u/√3 = −0.1272137102373736 in double, −0.127213716506958 after rounding to float (Python).
        float[] parameters = ParameterInitialization.CreateUniform(new RnnShape(1, 3, 1), 7);

        Assert.Equal(-0.127213716506958f, parameters[0]);
    }

    [Property(MaxTest = 100)]
    public void EveryParameterLiesWithinPlusOrMinusOneOverSquareRootOfHidden(ulong seed, byte hiddenSize)
    {
        int h = 1 + hiddenSize % 64;
        var shape = new RnnShape(3, h, 2);
        float bound = (float)(1 / Math.Sqrt(h));

        float[] parameters = ParameterInitialization.CreateUniform(shape, seed);

        Assert.All(parameters, value => Assert.InRange(value, -bound, bound));
    }

    [Fact]
    public void EqualSeedsGiveEqualParametersAndDifferentSeedsDifferentOnes()
    {
        var shape = new RnnShape(4, 8, 2);

        Assert.Equal(ParameterInitialization.CreateUniform(shape, 5), ParameterInitialization.CreateUniform(shape, 5));
        Assert.NotEqual(ParameterInitialization.CreateUniform(shape, 5), ParameterInitialization.CreateUniform(shape, 6));
    }

    [Fact]
    public void ValuesSpreadOverTheWholeRange()
    {
        // 3 300 draws uniform on [−1/4, 1/4): the extremes come within 1% of the bounds and the mean is near 0.
        var shape = new RnnShape(100, 16, 84);
        float[] parameters = ParameterInitialization.CreateUniform(shape, 2026);

        Assert.True(parameters.Min() < -0.2475f && parameters.Max() > 0.2475f);
        Assert.InRange(parameters.Average(), -0.01, 0.01);
    }

    [Fact]
    public void ABufferOfTheWrongLengthIsRejectedAndLeftUnchanged()
    {
        var shape = new RnnShape(2, 2, 2);
        var buffer = new float[shape.ParameterCount + 1];

        var error = Assert.Throws<ArgumentException>(() => ParameterInitialization.InitializeUniform(shape, 1, buffer));

        Assert.Equal("destination", error.ParamName);
        Assert.All(buffer, value => Assert.Equal(0f, value));
    }
}
