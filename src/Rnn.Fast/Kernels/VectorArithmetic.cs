namespace Rnn.Fast.Kernels;

/// <summary>Elementwise scaling and scaled addition over spans, bit-identical on every instruction-set path.</summary>
/// <remarks>
/// TensorPrimitives.FusedMultiplyAdd, Multiply and Add give the same bits as these kernels (checked at every length
/// 0..300, in place, under the default runtime and DOTNET_EnableAVX512=0 and DOTNET_EnableAVX2=0) at about the same
/// speed (perf/Rnn.Fast.Benchmarks/Kernels), so they stay hand-written: the library keeps no package dependency
/// and tests can force every path.
/// NaN results are NaN on every path, but when two NaN operands meet, which one comes out (payload, sign) is not
/// reproducible: x86 returns the first operand's NaN and the JIT may order the operands of a commutative operation
/// differently in scalar and vector code. Every non-NaN result is bit-identical on every path.
/// </remarks>
internal static class VectorArithmetic
{
    /// <summary>
    /// Adds a multiple of <paramref name="x"/> to <paramref name="destination"/>: <c>destination[i] = fma(x[i], factor,
    /// destination[i])</c>, one rounding per element (BLAS axpy). With <c>factor = −learningRate</c> this is the SGD
    /// step <c>p −= learningRate · g</c> over a flat parameter span.
    /// </summary>
    /// <param name="x">The vector to scale and add.</param>
    /// <param name="factor">The multiplier of <paramref name="x"/>.</param>
    /// <param name="destination">The vector added to, in place; the same length as <paramref name="x"/> and not
    /// overlapping it (unless it is the very same span).</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans overlap partially.</exception>
    public static void AddScaled(ReadOnlySpan<float> x, float factor, Span<float> destination) =>
        AddScaled(x, factor, destination, KernelDispatch.Active);

    internal static void AddScaled(ReadOnlySpan<float> x, float factor, Span<float> destination, InstructionSet instructionSet)
    {
        KernelArguments.ThrowIfLengthDiffers(x.Length, destination.Length, nameof(destination));
        KernelArguments.ThrowIfPartiallyOverlapping(x, destination, nameof(destination));
        KernelDispatch.ThrowIfUnsupported(instructionSet);
        ElementwiseDriver.Binary(new MultiplyAddScalarOperator(factor), x, destination, destination, instructionSet);
    }

    /// <summary>Computes <c>destination[i] = x[i] · factor</c>, one rounding per element.</summary>
    /// <param name="x">The inputs.</param>
    /// <param name="factor">The multiplier.</param>
    /// <param name="destination">The outputs; the same length as <paramref name="x"/>; may be the very same span (in place).</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans overlap partially.</exception>
    public static void Scale(ReadOnlySpan<float> x, float factor, Span<float> destination) =>
        Scale(x, factor, destination, KernelDispatch.Active);

    internal static void Scale(ReadOnlySpan<float> x, float factor, Span<float> destination, InstructionSet instructionSet)
    {
        KernelArguments.ThrowIfLengthDiffers(x.Length, destination.Length, nameof(destination));
        KernelArguments.ThrowIfPartiallyOverlapping(x, destination, nameof(destination));
        KernelDispatch.ThrowIfUnsupported(instructionSet);
        ElementwiseDriver.Unary(new MultiplyByScalarOperator(factor), x, destination, instructionSet);
    }
}
