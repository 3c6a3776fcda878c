namespace Rnn.Fast.Kernels;

/// <summary>
/// tanh and its derivative over spans: one formula on every instruction-set path, so results
/// are bit-identical whatever the path, the span length or an element's position.
/// </summary>
/// <remarks>
/// NaN results are NaN on every path, but when two NaN operands meet, which one comes out (payload, sign) is not
/// reproducible: x86 returns the first operand's NaN and the JIT may order the operands of a commutative operation
/// differently in scalar and vector code. Every non-NaN result is bit-identical on every path. Tanh itself returns
/// its input NaN unchanged, so its NaN outputs are bit-identical too.
/// </remarks>
internal static unsafe class Activations
{
    /// <summary>
    /// The largest error of <see cref="Tanh(ReadOnlySpan{float}, Span{float})"/> over all finite floats, in units in
    /// the last place of the float binade that holds the exact tanh(x): |tanh_ours(x) − tanh(x)| / ulp(tanh(x)).
    /// Against the correctly rounded float result it is at most this plus 0.5.
    /// </summary>
    /// <remarks>
    /// Measured: 1.648 ulp (absolute 9.8e-8) at x = ±0.56268156, just above the switch to the exp formula, in an
    /// exhaustive pass over every float in [2^-14, 10] against Math.Tanh in double; below 2^-13 the result is x
    /// (error under 0.05 ulp) and from 9.5 on it is ±1 (under 0.2 ulp). All paths give the same bits, so this
    /// holds on every path. A test sweeps the whole float range and enforces it.
    /// </remarks>
    public const double TanhMaxUlpError = 1.75;

    /// <summary>
    /// The largest absolute error |tanh_ours(x) − tanh(x)| over all floats: <see cref="TanhMaxUlpError"/> ulps of
    /// 2^-24 (the ulp just below 1, the largest ulp a tanh value has), about 1.2e-7.
    /// </summary>
    public const double TanhMaxAbsoluteError = TanhMaxUlpError * 5.9604644775390625e-8;

    /// <summary>
    /// Computes <c>destination[i] = tanh(x[i])</c> within <see cref="TanhMaxUlpError"/> ulp: ±0 → ±0, |x| ≥ ~9.01 and
    /// ±∞ → exactly ±1, NaN → the same NaN; subnormal x returns x.
    /// </summary>
    /// <param name="x">The inputs.</param>
    /// <param name="destination">The outputs; the same length as <paramref name="x"/>. It may be the very same span
    /// as <paramref name="x"/> (in place) but must not otherwise overlap it.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans overlap partially.</exception>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> destination) => Tanh(x, destination, KernelDispatch.Active);

    /// <summary>Computes <c>values[i] = tanh(values[i])</c> in place; see <see cref="Tanh(ReadOnlySpan{float}, Span{float})"/>.</summary>
    /// <param name="values">The inputs, overwritten by the outputs.</param>
    public static void TanhInPlace(Span<float> values) => Tanh(values, values, KernelDispatch.Active);

    internal static void Tanh(ReadOnlySpan<float> x, Span<float> destination, InstructionSet instructionSet)
    {
        KernelArguments.ThrowIfLengthDiffers(x.Length, destination.Length, nameof(destination));
        KernelArguments.ThrowIfPartiallyOverlapping(x, destination, nameof(destination));
        KernelDispatch.ThrowIfUnsupported(instructionSet);
        ElementwiseDriver.Unary(default(TanhOperator), x, destination, instructionSet);
    }

    /// <summary>
    /// Back-propagates through tanh from its output h: <c>inputGradient[i] = outputGradient[i] · t</c> with
    /// <c>t = fma(−h[i], h[i], 1)</c>, i.e. g·(1 − h²) with 1 − h² rounded once and the product rounded once.
    /// </summary>
    /// <param name="tanhOutput">h = tanh(a), the forward outputs.</param>
    /// <param name="outputGradient">g = ∂L/∂h.</param>
    /// <param name="inputGradient">∂L/∂a; the same length. It may be the very same span as
    /// <paramref name="outputGradient"/> or <paramref name="tanhOutput"/> (in place).</param>
    /// <exception cref="ArgumentException">The lengths differ, or spans overlap partially.</exception>
    public static void TanhGradient(ReadOnlySpan<float> tanhOutput, ReadOnlySpan<float> outputGradient, Span<float> inputGradient) =>
        TanhGradient(tanhOutput, outputGradient, inputGradient, KernelDispatch.Active);

    internal static void TanhGradient(ReadOnlySpan<float> tanhOutput, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, InstructionSet instructionSet)
    {
        KernelArguments.ThrowIfLengthDiffers(tanhOutput.Length, outputGradient.Length, nameof(outputGradient));
        KernelArguments.ThrowIfLengthDiffers(tanhOutput.Length, inputGradient.Length, nameof(inputGradient));
        KernelArguments.ThrowIfPartiallyOverlapping(tanhOutput, inputGradient, nameof(inputGradient));
        KernelArguments.ThrowIfPartiallyOverlapping(outputGradient, inputGradient, nameof(inputGradient));
        KernelDispatch.ThrowIfUnsupported(instructionSet);
        ElementwiseDriver.Binary(default(TanhGradientOperator), tanhOutput, outputGradient, inputGradient, instructionSet);
    }
}
