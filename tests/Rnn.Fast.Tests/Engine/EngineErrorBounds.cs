using Rnn.Fast.Kernels;
using Rnn.Fast.Reference;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Engine;

/// <summary>
/// Rigorous bounds on how far the fast engine's float results may lie from the double reference, propagated step by
/// step beside the reference's own values. Every bound is derived from the standard model of float arithmetic and
/// the documented error of the engine's tanh, never tuned to what the engine happens to produce.
/// </summary>
/// <remarks>
/// <para>Rounding model (Higham, Accuracy and Stability, §3.1): a chain of K fused multiply-adds c ← fma(a_k, b_k, c)
/// from c₀ has |ĉ − c| ≤ γ_K·(|c₀| + Σ|a_k·b_k|), γ_K = K·u/(1 − K·u), u = 2⁻²⁴, where the a_k, b_k are the values
/// the chain actually read. Where those values themselves carry errors from earlier steps, the error splits into
/// this rounding part (evaluated on magnitudes |ref| + bound, which dominate the values read) and the propagated
/// part Σ_k |b_k|·|â_k − a_k|.</para>
/// <para>Propagation through the recurrence uses 2-norms per batch row: the error vector e of a row of H maps to
/// e·Whh, and ‖e·Whh‖₂ ≤ ‖Whh‖₂·‖e‖₂. Summing absolute values instead (‖Whh‖∞ = max row sum ≈ ½√h at the
/// initializer's range) would multiply the bound by ~4 per step at h = 70, 4²⁰ over 20 steps: true but useless.
/// ‖Whh‖₂ is bounded from above without any eigen-solver by Gelfand's formula: for M = WhhᵀWhh and p = 2⁶,
/// ρ(M) ≤ ‖M^p‖∞^(1/p) (every induced norm bounds the spectral radius), so ‖Whh‖₂ ≤ ‖M^p‖∞^(1/(2p)), at most
/// h^(1/128) ≈ 3% above the true norm.</para>
/// <para>Forward, per batch row b and step t, with E_t the bound on ‖Ĥ_t[b] − H_t[b]‖₂ (E_0 = 0, H_0 is exact):
/// the pre-activation is one chain of K = d + h FMAs from bh (we use d + h + 1), so
/// ‖Â_t − A_t‖₂ ≤ Δ_t = ‖γ_K·(|bh| + |X_t|·|Wxh| + (|H_{t−1}| + E_{t−1})·|Whh|)‖₂ + ‖Whh‖₂·E_{t−1}; tanh is
/// 1-Lipschitz and the engine's tanh is within ε_tanh = <see cref="Activations.TanhMaxAbsoluteError"/> of the exact
/// one, so E_t = Δ_t + √h·ε_tanh. Outputs, one chain of h FMAs from bo:
/// |Ô_t − O_t|[k] ≤ γ_{h+1}·(|bo_k| + Σ_j (|H_t,j| + E_t)·|Who_jk|) + ‖Who[:, k]‖₂·E_t.</para>
/// <para>Backward, per row, with e_dO the elementwise bound on the output gradients, F_t on ‖dĤ_t − dH_t‖₂ and G_t
/// on ‖dÂ_t − dA_t‖₂ (G_{T+1} = 0): dH_t is one chain of K = (o if step t has outputs) + (h if t &lt; T) FMAs, so
/// F_t = ‖γ_K·((|dO_t| + e_dO)·|Who|ᵀ + (|dA_{t+1}| + G_{t+1})·|Whh|ᵀ)‖₂ + ‖Who‖₂·‖e_dO‖₂ + ‖Whh‖₂·G_{t+1}.
/// The engine forms dA = dH·fl(1 − Ĥ²) with two roundings, and |Ĥ² − H²| ≤ E·(2|H| + E), so
/// G_t = F_t + ‖(|dH_t| + F_t)·E_t·(2|H_t| + E_t)‖₂ + γ_2·‖(|dH_t| + F_t)·(|1 − H_t²| + E_t·(2|H_t| + E_t))‖₂
/// (|1 − H²| ≤ 1). Each weight gradient is one chain over all R rows it sums (R = T·n, or n for Who with the
/// last output only) from 0: for dWhh[k, j] = Σ H_{t−1}[k]·dA_t[j] the bound is
/// γ_R·Σ (|H| + E)(|dA| + G) + Σ (E·(|dA| + G) + |H|·G), and likewise dWxh (X exact), dbh (a sum: γ_R·Σ(|dA| + G) + ΣG),
/// dWho and dbo (with e_dO). dX = dA·Wxhᵀ and dH_0 = dA_1·Whhᵀ are chains of h FMAs from 0:
/// γ_{h}·Σ_j (|dA_j| + G)·|W_ij| + ‖W[i, :]‖₂·G.</para>
/// <para>The loss: D̂ = fl(Ô − Y) has |D̂ − D| ≤ e_D = e_O + u·(|D| + e_O); the fixed summation tree of N squares
/// adds γ_{⌈N/16⌉+4} and the division one more rounding, so
/// |L̂ − L| ≤ (1/N)·Σ e_D·(2|D| + e_D) + γ_{⌈N/16⌉+5}·(1/N)·Σ (|D| + e_D)². The output gradient dÔ = fl(fl(2/N)·D̂)
/// has e_dO = (2/N)·(e_D + γ_2·(|D| + e_D)).</para>
/// <para>The double reference's own error (about K·2⁻⁵³ relative) is 2²⁹ times below these terms; comparisons
/// allow it as a factor 1 + 10⁻⁶ on the bound.</para>
/// <para>Other implementations: the same propagation bounds any implementation that computes the same sums in
/// some order, given its <see cref="EngineArithmetic"/> (unit roundoff, how many bias terms enter the pre-activation,
/// its tanh's error, the roundings of its tanh derivative) and, when it runs a slightly different model, the
/// perturbation of bh: PyTorch adds bias_ih and bias_hh inside its cell where the reference uses their float32 sum
/// bh, so its pre-activation differs from the reference's model by |(bias_ih + bias_hh) − bh| per element on top of
/// its rounding, and the terms of its sum hold |bias_ih| + |bias_hh| instead of |bh|. Both enter Δ_t elementwise,
/// before the 2-norm. The loss-value bound assumes the engine's summation tree; the output-gradient bound holds for
/// any implementation that forms fl(fl(2/N)·fl(O − Y)).</para>
/// </remarks>
internal sealed class EngineErrorBounds
{
    private readonly RnnShape _shape;
    private readonly int _T, _n;
    private readonly double[] _parameters;
    private readonly double[] _inputs;
    private readonly ReferenceForwardPass _forward;
    private readonly double _recurrentNorm;
    private readonly EngineArithmetic _arithmetic;

    /// <summary>Propagates the forward bounds of Rnn.Fast's float engine beside <paramref name="forward"/>.</summary>
    public EngineErrorBounds(ReferenceForwardPass forward)
        : this(forward, EngineArithmetic.RnnFast, biasMagnitudes: null, biasPerturbation: null)
    {
    }

    /// <summary>
    /// Propagates the forward bounds of an implementation with <paramref name="arithmetic"/> beside
    /// <paramref name="forward"/> (see the remarks).
    /// </summary>
    /// <param name="forward">The double reference on the model the bounds are relative to.</param>
    /// <param name="arithmetic">How the implementation computes.</param>
    /// <param name="biasMagnitudes">Σ|bias terms| per hidden unit (|bias_ih| + |bias_hh| for PyTorch); null for |bh|.</param>
    /// <param name="biasPerturbation">How far the implementation's effective bias may lie from the reference's bh, per
    /// hidden unit; null for none.</param>
    public EngineErrorBounds(ReferenceForwardPass forward, EngineArithmetic arithmetic, double[]? biasMagnitudes, double[]? biasPerturbation)
    {
        _arithmetic = arithmetic;
        _forward = forward;
        _shape = forward.Shape;
        _T = forward.SequenceLength;
        _n = forward.BatchSize;
        _parameters = forward.Parameters.ToArray();
        _inputs = forward.Inputs.ToArray();
        int d = _shape.InputSize, h = _shape.HiddenSize, o = _shape.OutputSize;
        _recurrentNorm = SpectralNormUpperBound(_shape.Whh<double>(_parameters), h, h);

        ReadOnlySpan<double> wxh = _shape.Wxh<double>(_parameters), whh = _shape.Whh<double>(_parameters);
        ReadOnlySpan<double> bh = _shape.Bh<double>(_parameters), who = _shape.Who<double>(_parameters), bo = _shape.Bo<double>(_parameters);
        double gammaHidden = arithmetic.Gamma(d + h + arithmetic.BiasTerms), gammaOutput = arithmetic.Gamma(h + 1);
        var outputColumnNorms = new double[o];
        for (int k = 0; k < o; k++)
        {
            double sum = 0;
            for (int j = 0; j < h; j++) sum += who[j * o + k] * who[j * o + k];
            outputColumnNorms[k] = Math.Sqrt(sum);
        }

        HiddenBound = new double[(_T + 1) * _n];
        OutputBound = new double[_T * _n * o];
        for (int t = 1; t <= _T; t++)
        {
            ReadOnlySpan<double> previous = forward.HiddenState(t - 1), current = forward.HiddenState(t);
            for (int b = 0; b < _n; b++)
            {
                double previousBound = HiddenBound[(t - 1) * _n + b];
                double rounding = 0;
                for (int j = 0; j < h; j++)
                {
                    double terms = biasMagnitudes is null ? Math.Abs(bh[j]) : biasMagnitudes[j];
                    for (int i = 0; i < d; i++) terms += Math.Abs(_inputs[((t - 1) * _n + b) * d + i] * wxh[i * h + j]);
                    for (int k = 0; k < h; k++) terms += (Math.Abs(previous[b * h + k]) + previousBound) * Math.Abs(whh[k * h + j]);
                    rounding += Square(gammaHidden * terms + (biasPerturbation is null ? 0 : biasPerturbation[j]));
                }

                double bound = Math.Sqrt(rounding) + _recurrentNorm * previousBound + Math.Sqrt(h) * arithmetic.TanhError;
                HiddenBound[t * _n + b] = bound;
                for (int k = 0; k < o; k++)
                {
                    double terms = Math.Abs(bo[k]);
                    for (int j = 0; j < h; j++) terms += (Math.Abs(current[b * h + j]) + bound) * Math.Abs(who[j * o + k]);
                    OutputBound[((t - 1) * _n + b) * o + k] = gammaOutput * terms + outputColumnNorms[k] * bound;
                }
            }
        }
    }

    /// <summary>E_t per row: bounds on ‖Ĥ_t[b] − H_t[b]‖₂ at index t·n + b, t = 0..T.</summary>
    public double[] HiddenBound { get; }

    /// <summary>Elementwise bounds on every step's outputs, T·n·o, time-major.</summary>
    public double[] OutputBound { get; }

    /// <summary>The bounds on the outputs <paramref name="steps"/> selects.</summary>
    public ReadOnlySpan<double> Outputs(OutputSteps steps) =>
        steps == OutputSteps.LastStep ? OutputBound.AsSpan((_T - 1) * _n * _shape.OutputSize) : OutputBound;

    /// <summary>The bound on |L̂ − L| and the elementwise bound on the output gradients that the engine derives from the loss.</summary>
    public (double Loss, double[] OutputGradients) Loss(ReadOnlySpan<double> targets, LossKind loss)
    {
        OutputSteps steps = loss == LossKind.LastOutputMeanSquaredError ? OutputSteps.LastStep : OutputSteps.EveryStep;
        ReadOnlySpan<double> outputs = steps == OutputSteps.LastStep ? _forward.LastOutput : _forward.Outputs;
        ReadOnlySpan<double> outputBound = Outputs(steps);
        int count = targets.Length;
        double scale = 2.0 / count, propagated = 0, squares = 0;
        var gradientBound = new double[count];
        for (int i = 0; i < count; i++)
        {
            double difference = Math.Abs(outputs[i] - targets[i]);
            double differenceBound = outputBound[i] + _arithmetic.UnitRoundoff * (difference + outputBound[i]);
            propagated += differenceBound * (2 * difference + differenceBound);
            squares += Square(difference + differenceBound);
            gradientBound[i] = scale * (differenceBound + _arithmetic.Gamma(2) * (difference + differenceBound));
        }

        double lossBound = (propagated + _arithmetic.Gamma((count + 15) / 16 + 5) * squares) / count;
        return (lossBound, gradientBound);
    }

    /// <summary>
    /// Bounds on every gradient of a backward pass from output gradients <paramref name="outputGradients"/> (reference
    /// values, for the outputs <paramref name="steps"/> selects) known within <paramref name="outputGradientBound"/>.
    /// </summary>
    public (double[] Parameters, double[] InitialHidden, double[] Inputs) Gradients(ReadOnlySpan<double> outputGradients,
        ReadOnlySpan<double> outputGradientBound, OutputSteps steps)
    {
        RnnShape s = _shape;
        int d = s.InputSize, h = s.HiddenSize, o = s.OutputSize, T = _T, n = _n;
        ReadOnlySpan<double> wxh = s.Wxh<double>(_parameters), whh = s.Whh<double>(_parameters), who = s.Who<double>(_parameters);
        double outputNorm = SpectralNormUpperBound(who, h, o);
        bool everyStep = steps == OutputSteps.EveryStep;
        int firstOutputStep = everyStep ? 1 : T;

        // The reference's dH_t and dA_t (double), and the row bounds F_t, G_t.
        var dA = new double[(T + 2) * n * h]; // slot t holds dA_t; slot T+1 stays 0
        var dABound = new double[(T + 2) * n];
        var dH = new double[n * h];
        for (int t = T; t >= 1; t--)
        {
            bool hasOutput = t >= firstOutputStep;
            int chain = (hasOutput ? o : 0) + (t < T ? h : 0);
            double gamma = _arithmetic.Gamma(chain);
            ReadOnlySpan<double> current = _forward.HiddenState(t);
            for (int b = 0; b < n; b++)
            {
                double nextBound = dABound[(t + 1) * n + b], rounding = 0, outputGradientNorm = 0;
                int outputRow = ((t - firstOutputStep) * n + b) * o;
                if (hasOutput)
                {
                    for (int k = 0; k < o; k++) outputGradientNorm += Square(outputGradientBound[outputRow + k]);
                }

                for (int j = 0; j < h; j++)
                {
                    double value = 0, terms = 0;
                    if (hasOutput)
                    {
                        for (int k = 0; k < o; k++)
                        {
                            value += outputGradients[outputRow + k] * who[j * o + k];
                            terms += (Math.Abs(outputGradients[outputRow + k]) + outputGradientBound[outputRow + k]) * Math.Abs(who[j * o + k]);
                        }
                    }

                    for (int i = 0; i < h; i++)
                    {
                        double next = dA[((t + 1) * n + b) * h + i];
                        value += next * whh[j * h + i];
                        terms += (Math.Abs(next) + nextBound) * Math.Abs(whh[j * h + i]);
                    }

                    dH[b * h + j] = value;
                    rounding += Square(gamma * terms);
                }

                double hiddenGradientBound = Math.Sqrt(rounding) + outputNorm * Math.Sqrt(outputGradientNorm) + _recurrentNorm * nextBound;
                double e = HiddenBound[t * n + b], squareError = 0, productRounding = 0;
                for (int j = 0; j < h; j++)
                {
                    double hj = current[b * h + j], gradient = Math.Abs(dH[b * h + j]) + hiddenGradientBound;
                    double squareBound = e * (2 * Math.Abs(hj) + e);
                    squareError += Square(gradient * squareBound);
                    productRounding += Square(gradient * (Math.Abs(1 - hj * hj) + squareBound));
                    dA[(t * n + b) * h + j] = dH[b * h + j] * (1 - hj * hj);
                }

                dABound[t * n + b] = hiddenGradientBound + Math.Sqrt(squareError) + _arithmetic.Gamma(_arithmetic.TanhGradientRoundings) * Math.Sqrt(productRounding);
            }
        }

        var parameters = new double[s.ParameterCount];
        Span<double> bWxh = s.Wxh<double>(parameters), bWhh = s.Whh<double>(parameters), bBh = s.Bh<double>(parameters);
        Span<double> bWho = s.Who<double>(parameters), bBo = s.Bo<double>(parameters);
        double gammaRows = _arithmetic.Gamma(T * n);
        for (int t = 1; t <= T; t++)
        {
            ReadOnlySpan<double> previous = _forward.HiddenState(t - 1);
            for (int b = 0; b < n; b++)
            {
                double g = dABound[t * n + b], e = HiddenBound[(t - 1) * n + b];
                for (int j = 0; j < h; j++)
                {
                    double delta = Math.Abs(dA[(t * n + b) * h + j]);
                    bBh[j] += gammaRows * (delta + g) + g;
                    for (int k = 0; k < h; k++)
                    {
                        double hk = Math.Abs(previous[b * h + k]);
                        bWhh[k * h + j] += gammaRows * (hk + e) * (delta + g) + e * (delta + g) + hk * g;
                    }

                    for (int i = 0; i < d; i++)
                    {
                        double xi = Math.Abs(_inputs[((t - 1) * n + b) * d + i]);
                        bWxh[i * h + j] += gammaRows * xi * (delta + g) + xi * g;
                    }
                }
            }
        }

        int outputRows = everyStep ? T * n : n;
        double gammaOutputRows = _arithmetic.Gamma(outputRows);
        for (int r = 0; r < outputRows; r++)
        {
            int t = firstOutputStep + r / n, b = r % n;
            ReadOnlySpan<double> hidden = _forward.HiddenState(t);
            double e = HiddenBound[t * n + b];
            for (int k = 0; k < o; k++)
            {
                double gradient = Math.Abs(outputGradients[r * o + k]), gradientBound = outputGradientBound[r * o + k];
                bBo[k] += gammaOutputRows * (gradient + gradientBound) + gradientBound;
                for (int j = 0; j < h; j++)
                {
                    double hj = Math.Abs(hidden[b * h + j]);
                    bWho[j * o + k] += gammaOutputRows * (hj + e) * (gradient + gradientBound) + e * (gradient + gradientBound) + hj * gradientBound;
                }
            }
        }

        double gammaHidden = _arithmetic.Gamma(h);
        var inputs = new double[T * n * d];
        for (int t = 1; t <= T; t++)
        {
            for (int b = 0; b < n; b++)
            {
                double g = dABound[t * n + b];
                for (int i = 0; i < d; i++)
                {
                    double terms = 0, rowNorm = 0;
                    for (int j = 0; j < h; j++)
                    {
                        terms += (Math.Abs(dA[(t * n + b) * h + j]) + g) * Math.Abs(wxh[i * h + j]);
                        rowNorm += Square(wxh[i * h + j]);
                    }

                    inputs[((t - 1) * n + b) * d + i] = gammaHidden * terms + Math.Sqrt(rowNorm) * g;
                }
            }
        }

        var initialHidden = new double[n * h];
        for (int b = 0; b < n; b++)
        {
            double g = dABound[n + b];
            for (int k = 0; k < h; k++)
            {
                double terms = 0, rowNorm = 0;
                for (int j = 0; j < h; j++)
                {
                    terms += (Math.Abs(dA[(n + b) * h + j]) + g) * Math.Abs(whh[k * h + j]);
                    rowNorm += Square(whh[k * h + j]);
                }

                initialHidden[b * h + k] = gammaHidden * terms + Math.Sqrt(rowNorm) * g;
            }
        }

        return (parameters, initialHidden, inputs);
    }

    /// <summary>
    /// An upper bound on ‖W‖₂ of a rows×columns matrix: ‖M^p‖∞^(1/(2p)) with M = WᵀW and p = 64, by repeated
    /// squaring with rescaling (Gelfand's formula; any induced norm of M^p bounds ρ(M)^p from above).
    /// </summary>
    internal static double SpectralNormUpperBound(ReadOnlySpan<double> w, int rows, int columns)
    {
        var m = new double[columns * columns];
        for (int i = 0; i < columns; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                double sum = 0;
                for (int k = 0; k < rows; k++) sum += w[k * columns + i] * w[k * columns + j];
                m[i * columns + j] = sum;
            }
        }

        const int Squarings = 6;
        double logNorm = 0; // log ‖M^(2^s)‖ accumulated as Σ 2^(Squarings − i)·log(scale_i), then divided by 2^Squarings
        var next = new double[m.Length];
        for (int s = 0; s <= Squarings; s++)
        {
            double scale = InfinityNorm(m, columns);
            if (scale == 0) return 0;
            for (int i = 0; i < m.Length; i++) m[i] /= scale;
            logNorm += Math.Log(scale) * Math.Pow(2, Squarings - s);
            if (s == Squarings) break;
            for (int i = 0; i < columns; i++)
            {
                for (int j = 0; j < columns; j++)
                {
                    double sum = 0;
                    for (int k = 0; k < columns; k++) sum += m[i * columns + k] * m[k * columns + j];
                    next[i * columns + j] = sum;
                }
            }

            (m, next) = (next, m);
        }

        // m is now normalised to ‖m‖∞ = 1: ‖M^p‖∞ = exp(logNorm). Double rounding is covered by the last factor.
        double spectralRadius = Math.Exp(logNorm / Math.Pow(2, Squarings));
        return Math.Sqrt(spectralRadius) * (1 + 1e-9);
    }

    private static double InfinityNorm(double[] m, int size)
    {
        double largest = 0;
        for (int i = 0; i < size; i++)
        {
            double sum = 0;
            for (int j = 0; j < size; j++) sum += Math.Abs(m[i * size + j]);
            largest = Math.Max(largest, sum);
        }

        return largest;
    }

    private static double Square(double x) => x * x;
}
