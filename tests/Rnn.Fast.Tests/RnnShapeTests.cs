namespace Rnn.Fast.Tests;

public class RnnShapeTests
{
    [Fact]
    public void ViewsTileTheBufferInDeclaredOrderWithoutGaps()
    {
        var shape = new RnnShape(3, 5, 2);
        Assert.Equal(3 * 5 + 5 * 5 + 5 + 5 * 2 + 2, shape.ParameterCount);
        Assert.Equal(0, shape.WxhOffset);
        Assert.Equal(shape.WxhOffset + shape.WxhLength, shape.WhhOffset);
        Assert.Equal(shape.WhhOffset + shape.WhhLength, shape.BhOffset);
        Assert.Equal(shape.BhOffset + shape.BhLength, shape.WhoOffset);
        Assert.Equal(shape.WhoOffset + shape.WhoLength, shape.BoOffset);
        Assert.Equal(shape.ParameterCount, shape.BoOffset + shape.BoLength);

        var buffer = new float[shape.ParameterCount];
        shape.Bo<float>(buffer)[1] = 7f;
        Assert.Equal(7f, buffer[^1]);
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, 0, 1)]
    [InlineData(1, 1, -1)]
    [InlineData(1, 50_000, 1)]
    [InlineData(int.MaxValue, int.MaxValue, int.MaxValue)] // 3·(2^31 − 1)² overflows a long: must still be refused
    [InlineData(int.MaxValue, 1, 1)]
    public void RejectsNonPositiveOrOversizedShapes(int d, int h, int o)
    {
        var error = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new RnnShape(d, h, o));
        Assert.Contains(d < 1 ? "inputSize" : h < 1 ? "hiddenSize" : o < 1 ? "outputSize" : "parameters", error.Message);
    }

    [Fact]
    public void ViewOfAWrongLengthBufferNamesBothLengths()
    {
        var shape = new RnnShape(2, 2, 2);
        var error = Assert.Throws<ArgumentException>(() => shape.Whh<double>(new double[3]));
        Assert.Contains(shape.ParameterCount.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
        Assert.Contains("3", error.Message);
    }
}
