namespace Rnn.Fast.Kernels;

/// <summary>
/// The instruction-set paths every kernel implements. Under the reproducibility contract all paths produce
/// bit-identical results; they differ only in speed.
/// </summary>
public enum InstructionSet
{
    /// <summary>Plain scalar code: one <see cref="MathF.FusedMultiplyAdd"/> per multiply-add. Runs everywhere.</summary>
    Scalar = 0,

    /// <summary>128-bit vectors (<c>Vector128</c>) with hardware fused multiply-add: SSE+FMA on x64, AdvSimd on ARM64.</summary>
    Portable = 1,

    /// <summary>256-bit AVX2 with FMA3 (16 vector registers).</summary>
    Avx2 = 2,

    /// <summary>512-bit AVX-512F (32 vector registers).</summary>
    Avx512 = 3,
}
