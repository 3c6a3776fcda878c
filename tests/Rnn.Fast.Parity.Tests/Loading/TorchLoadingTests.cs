using static TorchSharp.torch;

namespace Rnn.Fast.Parity.Tests.Loading;

/// <summary>libtorch loads in this process and computes: the precondition of every parity test.</summary>
public sealed class TorchLoadingTests
{
    [Fact]
    public void TorchComputesAMatrixProductInDouble()
    {
        using Tensor a = tensor(new double[] { 1, 2, 3, 4 }, [2, 2], dtype: ScalarType.Float64);
        using Tensor b = tensor(new double[] { 5, 6 }, [2, 1], dtype: ScalarType.Float64);

        using Tensor product = a.matmul(b);

        Assert.Equal([17.0, 39.0], product.data<double>().ToArray());
    }
}
