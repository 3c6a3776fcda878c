namespace Rnn.Fast.Tests.Engine;

/// <summary>
/// Every exception names the argument that is wrong: the size of a shape that is too large, the batch (not the
/// sequence length) when the batch alone cannot fit, T itself (not T + 1) when the sequence is too long.
/// </summary>
public sealed class ArgumentNameTests
{
    private static readonly RnnShape Shape = new(3, 5, 2); // workspace rows: d + h = 8 floats, padded to 16

    [Theory]
    [InlineData(int.MaxValue, 1, 1, "inputSize")]
    [InlineData(1, 1, int.MaxValue, "outputSize")]
    [InlineData(1, 50_000, 1, "hiddenSize")]
    [InlineData(40_000, 40_000, 1, "hiddenSize")]
    [InlineData(1_500_000_000, 2, 1, "inputSize")]
    public void ATooLargeShapeNamesItsLargestSize(int d, int h, int o, string name)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RnnShape(d, h, o));
        Assert.Equal(name, error.ParamName);
        Assert.Contains($"d={d}, h={h}, o={o}", error.Message);
    }

    [Fact]
    public void ATooLargeBatchIsNamedAsTheBatchAndATooLongSequenceAsItsOwnLength()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => RnnShape.SequenceElementCount(1, int.MaxValue / 2, 4));
        Assert.Equal("batchSize", error.ParamName);
        error = Assert.Throws<ArgumentOutOfRangeException>(() => RnnShape.SequenceElementCount(1 << 20, 1 << 12, 1));
        Assert.Equal("sequenceLength", error.ParamName);
    }

    [Fact]
    public void AWorkspaceNamesATooLargeBatchAndReportsTNotTPlusOne()
    {
        using var workspace = new RnnWorkspace(new RnnModel(Shape, 1UL));
        float[] outputs = new float[4];

        // n = 2^27: even T = 1 needs (1 + 1)·2^27 rows of 16 floats = 2^32 floats.
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => workspace.Forward(new float[3], 1, 1 << 27, OutputSteps.LastStep, outputs));
        Assert.Equal("batchSize", error.ParamName);
        Assert.Contains("T=1, n=134217728", error.Message);

        // T = 2^27, n = 1: (2^27 + 1)·16 floats; the message gives T as the caller passed it.
        error = Assert.Throws<ArgumentOutOfRangeException>(() => workspace.Forward(new float[3], 1 << 27, 1, OutputSteps.LastStep, outputs));
        Assert.Equal("sequenceLength", error.ParamName);
        Assert.Contains("T=134217728, n=1", error.Message);
    }

    [Fact]
    public void ASessionNamesATooLargeBatch()
    {
        // n = 2^27 streams of h = 5 padded to 16 floats: 2^31 floats of state.
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RnnStreamingSession(new RnnModel(Shape, 1UL), 1 << 27));
        Assert.Equal("batchSize", error.ParamName);
    }

    [Fact]
    public void TheReferenceNamesATooLargeBatchAndReportsTNotTPlusOne()
    {
        // d = o = 1, h = 4, n = 2^28: the inputs (T·n·d = 2^28) fit, but H_0..H_T need (1 + 1)·2^28·4 = 2^31 doubles.
        var shape = new RnnShape(1, 4, 1);
        double[] parameters = new double[shape.ParameterCount];
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Rnn.Fast.Reference.ReferenceRnn.Forward(shape, parameters, new double[1], 1, 1 << 28));
        Assert.Equal("batchSize", error.ParamName);
        Assert.Contains("T=1, n=268435456", error.Message);
    }

    [Fact]
    public void TheReferenceUpdateRefusesPartlyOverlappingSpansAndAcceptsTheVerySameSpan()
    {
        int count = Shape.ParameterCount;
        double[] shared = Enumerable.Range(0, count + 1).Select(i => 1.0 + i).ToArray();
        double[] before = (double[])shared.Clone();
        foreach ((int gradientsAt, int parametersAt) in new[] { (0, 1), (1, 0) })
        {
            var error = Assert.Throws<ArgumentException>(() => Rnn.Fast.Reference.ReferenceRnn.ApplyGradientDescent(
                Shape, shared.AsSpan(gradientsAt, count), 0.5, shared.AsSpan(parametersAt, count)));
            Assert.Equal("parameters", error.ParamName);
            Assert.Contains("overlaps gradients 1 elements apart", error.Message); // either way round
            Assert.Equal(before, shared);
        }

        // In place: p − 0.5·p = 0.5·p exactly for every element (a halving is exact in binary).
        double[] same = before[..count];
        Rnn.Fast.Reference.ReferenceRnn.ApplyGradientDescent(Shape, same, 0.5, same);
        Assert.Equal(before[..count].Select(p => 0.5 * p), same);
    }
}
