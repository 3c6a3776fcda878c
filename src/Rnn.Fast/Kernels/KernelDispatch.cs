using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Fast.Kernels;

/// <summary>
/// Which instruction-set path the kernels run, chosen once per process from what the CPU and the runtime allow.
/// </summary>
/// <remarks>
/// The runtime's switches lower the choice: <c>DOTNET_EnableAVX512=0</c> gives <see cref="InstructionSet.Avx2"/>,
/// <c>DOTNET_EnableAVX2=0</c> (which in .NET 10 also turns off FMA) gives <see cref="InstructionSet.Scalar"/> on x64,
/// and <c>DOTNET_EnableHWIntrinsic=0</c> gives <see cref="InstructionSet.Scalar"/>. A NativeAOT build sees only
/// what it was compiled for (<c>IlcInstructionSet</c>).
/// </remarks>
public static class KernelDispatch
{
    /// <summary>The fastest path this process supports: every model created without a forced path runs it.</summary>
    public static InstructionSet Active { get; } = Detect();

    /// <summary>Whether this process can run <paramref name="instructionSet"/>.</summary>
    /// <param name="instructionSet">The path to ask about.</param>
    /// <returns>True when the CPU and the runtime's switches allow it. <see cref="InstructionSet.Scalar"/> always is.</returns>
    public static bool IsSupported(InstructionSet instructionSet) => instructionSet switch
    {
        InstructionSet.Scalar => true,
        // Every vector path needs a hardware fused multiply-add: an emulated one would be exact but very slow.
        InstructionSet.Portable => Vector128.IsHardwareAccelerated && (Fma.IsSupported || AdvSimd.IsSupported),
        InstructionSet.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        InstructionSet.Avx512 => Avx512F.IsSupported && Avx512F.VL.IsSupported && Fma.IsSupported,
        _ => false,
    };

    /// <summary>Every path this process supports, fastest first.</summary>
    public static IReadOnlyList<InstructionSet> Supported { get; } =
        [.. new[] { InstructionSet.Avx512, InstructionSet.Avx2, InstructionSet.Portable, InstructionSet.Scalar }.Where(IsSupported)];

    /// <summary>Throws unless the process supports <paramref name="instructionSet"/>; used by entry points that force a path.</summary>
    internal static void ThrowIfUnsupported(InstructionSet instructionSet)
    {
        if (!IsSupported(instructionSet))
        {
            throw new PlatformNotSupportedException($"The {instructionSet} kernel path is not supported by this CPU or runtime.");
        }
    }

    private static InstructionSet Detect()
    {
        if (IsSupported(InstructionSet.Avx512)) return InstructionSet.Avx512;
        if (IsSupported(InstructionSet.Avx2)) return InstructionSet.Avx2;
        if (IsSupported(InstructionSet.Portable)) return InstructionSet.Portable;
        return InstructionSet.Scalar;
    }
}
