using Rnn.Fast.Kernels;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Kernels;

/// <summary>Runs a kernel on every path this process supports and enforces the reproducibility contract.</summary>
internal static class KernelPaths
{
    /// <summary>
    /// Whether a hardware vector path exists. Without one (DOTNET_EnableAVX2=0 turns FMA off; DOTNET_EnableHWIntrinsic=0)
    /// MathF.FusedMultiplyAdd is a software routine (scalar tanh about 5× slower), so heavy sweeps thin out.
    /// </summary>
    public static bool HasVectorPath => KernelDispatch.Supported.Count > 1;

    /// <summary>
    /// Runs <paramref name="run"/> (which must return a fresh output) on the scalar path and on every other supported
    /// path, asserts all outputs are bit-identical to the scalar one, and returns the scalar output. With
    /// <paramref name="anyNaN"/>, NaN outputs only need to be NaN (see <see cref="FloatAssert.BitIdenticalAnyNaN"/>).
    /// </summary>
    public static float[] RunOnEveryPath(Func<InstructionSet, float[]> run, string kernel, bool anyNaN = false)
    {
        float[] scalar = run(InstructionSet.Scalar);
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            if (path == InstructionSet.Scalar) continue;
            if (anyNaN) FloatAssert.BitIdenticalAnyNaN(scalar, run(path), $"{kernel} on {path} vs Scalar");
            else FloatAssert.BitIdentical(scalar, run(path), $"{kernel} on {path} vs Scalar");
        }
        return scalar;
    }
}
