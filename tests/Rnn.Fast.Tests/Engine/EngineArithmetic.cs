using Rnn.Fast.Kernels;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Engine;

/// <summary>
/// How an implementation of the Elman network computes in floating point, as far as <see cref="EngineErrorBounds"/>
/// needs to know: the precision, how many bias terms its pre-activation sums, its tanh's largest absolute error,
/// and how many roundings its tanh derivative dA = dH·(1 − H²) takes.
/// </summary>
/// <param name="UnitRoundoff">u of the precision: 2⁻²⁴ for float32, 2⁻⁵³ for double.</param>
/// <param name="BiasTerms">Bias terms in the pre-activation sum beside the d + h products: 1 (one bias) or 2
/// (PyTorch's bias_ih and bias_hh).</param>
/// <param name="TanhError">The largest |tanh_impl(x) − tanh(x)|.</param>
/// <param name="TanhGradientRoundings">Roundings in dH·(1 − H²): 2 with a fused 1 − H², 3 computed plainly.</param>
internal sealed record EngineArithmetic(double UnitRoundoff, int BiasTerms, double TanhError, int TanhGradientRoundings)
{
    /// <summary>2⁻²⁴, float32's unit roundoff.</summary>
    public static readonly double SingleRoundoff = FloatTolerance.UnitRoundoff;

    /// <summary>2⁻⁵³, double's unit roundoff.</summary>
    public static readonly double DoubleRoundoff = Math.ScaleB(1, -53);

    /// <summary>
    /// Rnn.Fast's float engine: one chain of FMAs from bh (so one bias term), its documented tanh bound, and
    /// dA = dH·fl(1 − Ĥ²) with two roundings.
    /// </summary>
    public static EngineArithmetic RnnFast { get; } = new(SingleRoundoff, 1, Activations.TanhMaxAbsoluteError, 2);

    /// <summary>
    /// The double reference: plain sums from bh, Math.Tanh (glibc's tanh, within 2 ulps; an ulp of a value below 1 is
    /// at most 2⁻⁵³), and dH·(1 − H²) with three roundings.
    /// </summary>
    public static EngineArithmetic ReferenceDouble { get; } = new(DoubleRoundoff, 1, 2 * DoubleRoundoff, 3);

    /// <summary>
    /// PyTorch's CPU nn.RNN in float32: fl(fl(b_ih + x·W_ihᵀ) + fl(b_hh + h·W_hhᵀ)), each sum in its BLAS's order,
    /// which is a sum of d + h + 2 terms in some order, so γ_{d+h+2} bounds it; tanh from SLEEF (1 ulp) on vector
    /// paths or glibc's tanhf (2 ulps) otherwise, so at most 2 ulps, and an ulp of a value below 1 is at most 2⁻²⁴;
    /// tanh's derivative as grad·(1 − y·y), three roundings. Its other sums (the head, dH, the weight gradients) have
    /// the lengths the engine's have, in another order, which the γ_K bounds allow.
    /// </summary>
    public static EngineArithmetic TorchSingle { get; } = new(SingleRoundoff, 2, 2 * SingleRoundoff, 3);

    /// <summary>PyTorch's nn.RNN in float64 (<c>module.double()</c>): as <see cref="TorchSingle"/> with double's roundoff.</summary>
    public static EngineArithmetic TorchDouble { get; } = new(DoubleRoundoff, 2, 2 * DoubleRoundoff, 3);

    /// <summary>γ_k = k·u/(1 − k·u): the relative error bound of k chained roundings.</summary>
    public double Gamma(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        double ku = k * UnitRoundoff;
        return ku / (1 - ku);
    }
}
