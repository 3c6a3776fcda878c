using Rnn.Fast.Kernels;

namespace Rnn.Fast.Tests.Kernels;

public class ArgumentValidationTests
{
    [Fact]
    public void MismatchedLengthsNameTheArgumentAndBothLengthsBeforeWriting()
    {
        float[] destination = [1f, 2f];
        var error = Assert.Throws<ArgumentException>(() => Activations.Tanh(new float[3], destination));
        Assert.Equal("destination", error.ParamName);
        Assert.Contains("3", error.Message);
        Assert.Contains("2", error.Message);
        Assert.Equal([1f, 2f], destination);

        Assert.Equal("outputGradient", Assert.Throws<ArgumentException>(() => Activations.TanhGradient(new float[4], new float[5], new float[4])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => VectorArithmetic.AddScaled(new float[4], 1f, new float[5])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => VectorArithmetic.Scale(new float[4], 1f, new float[3])).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Reductions.Dot(new float[4], new float[3])).ParamName);
    }

    [Fact]
    public void MatrixKernelsCheckDimensionsAndSpanLengths()
    {
        var shortMatrix = Assert.Throws<ArgumentException>(() => BiasKernels.AddColumnSums(new float[10], 3, 4, 4, new float[4]));
        Assert.Equal("matrix", shortMatrix.ParamName);
        Assert.Contains("12", shortMatrix.Message);
        Assert.Contains("10", shortMatrix.Message);
        Assert.Equal("sums", Assert.Throws<ArgumentException>(() => BiasKernels.AddColumnSums(new float[16], 4, 4, 4, new float[5])).ParamName);
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => BiasKernels.AddColumnSums(new float[16], 4, 4, 3, new float[4]));
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => BiasKernels.AddColumnSums(new float[16], -1, 4, 4, new float[4]));
        // A last row may end early: (rows − 1)·ld + columns is enough.
        BiasKernels.AddColumnSums(new float[3 * 6 + 4], 4, 4, 6, new float[4]);
    }

    [Fact]
    public void PartiallyOverlappingSpansAreRejected()
    {
        float[] buffer = new float[10];
        Assert.Throws<ArgumentException>(() => Activations.Tanh(buffer.AsSpan(0, 8), buffer.AsSpan(1, 8)));
        Assert.Throws<ArgumentException>(() => VectorArithmetic.AddScaled(buffer.AsSpan(2, 8), 1f, buffer.AsSpan(0, 8)));
        Assert.Throws<ArgumentException>(() => BiasKernels.AddColumnSums(buffer.AsSpan(0, 10), 5, 2, 2, buffer.AsSpan(0, 2)));
    }

    [Fact]
    public void ForcingAnUnsupportedPathThrowsPlatformNotSupported()
    {
        foreach (InstructionSet path in Enum.GetValues<InstructionSet>())
        {
            if (KernelDispatch.IsSupported(path)) continue;
            Assert.Throws<PlatformNotSupportedException>(() => Activations.Tanh(new float[4], new float[4], path));
            Assert.Throws<PlatformNotSupportedException>(() => Reductions.Dot(new float[4], new float[4], path));
        }
    }
}
