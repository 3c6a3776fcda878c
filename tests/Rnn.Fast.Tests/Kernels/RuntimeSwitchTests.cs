using Rnn.Fast.Kernels;

namespace Rnn.Fast.Tests.Kernels;

/// <summary>
/// Checks that the runtime's instruction-set switches named in .ci/run really lower the active path, so the
/// switched runs test what they claim to test.
/// </summary>
public class RuntimeSwitchTests
{
    [Fact]
    public void TheActivePathRespectsTheRuntimeSwitches()
    {
        Assert.Equal(KernelDispatch.Supported[0], KernelDispatch.Active);
        Assert.Contains(InstructionSet.Scalar, KernelDispatch.Supported);
        if (Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0")
        {
            Assert.Equal([InstructionSet.Scalar], KernelDispatch.Supported);
        }
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0")
        {
            Assert.DoesNotContain(InstructionSet.Avx2, KernelDispatch.Supported);
            Assert.DoesNotContain(InstructionSet.Avx512, KernelDispatch.Supported);
        }
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0" || Environment.GetEnvironmentVariable("DOTNET_EnableAVX512F") == "0")
        {
            Assert.DoesNotContain(InstructionSet.Avx512, KernelDispatch.Supported);
        }
    }
}
