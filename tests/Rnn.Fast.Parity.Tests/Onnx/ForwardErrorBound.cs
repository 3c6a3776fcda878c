using Rnn.Fast.Kernels;
using Rnn.Fast.Reference;

namespace Rnn.Fast.Parity.Tests.Onnx;

/// <summary>
/// A rigorous bound on how far ONE implementation's forward pass of an Elman RNN lies from the exact one, for any
/// implementation that sums in its own order: ours, ONNX Runtime, torch. Two implementations then agree within the
/// sum of their two bounds, and each lies within its bound (plus the double reference's own, far smaller, bound) of
/// <see cref="ReferenceRnn"/>. Nothing is tuned: the only inputs are the precision's unit roundoff u, the
/// implementation's documented (or derived) tanh error ε, and the problem's own values.
/// </summary>
/// <remarks>
/// <para>Sums in any order (Higham, Accuracy and Stability, §3.1, (3.4)–(3.5)): computing a sum of K terms, each a
/// product of two values or a single value, in floating point — whatever the order or tree of the additions, fused or
/// separate multiplications, blocked or vectorized — gives |ŝ − s| ≤ γ_K·Σ|terms|, γ_K = K·u/(1 − K·u), because no
/// term passes through more than K roundings. That is the only fact about an implementation's GEMM used here.</para>
/// <para>Each pre-activation of step t is a sum of K = d + h + 2 terms: the input bias Wb_j and the recurrent bias Rb_j
/// (ONNX Runtime and torch add both; we add bh = fl(Wb + Rb), whose own rounding u·|Wb + Rb| the extra term covers:
/// γ_{K−1}(1 + u) + u ≤ γ_K), d products X_t,i·Wxh_ij and h products Ĥ_{t−1},k·Whh_kj of the implementation's own
/// previous state. Splitting the error into this rounding (evaluated on the magnitudes |H| + E, which dominate what the
/// implementation read) and the propagation of the previous state's error, with 2-norms per batch row as in
/// tests/Rnn.Fast.Tests/Engine/EngineErrorBounds.cs: ‖Â_t − A_t‖₂ ≤ ‖γ_K·(|Wb| + |Rb| + |X_t|·|Wxh| +
/// (|H_{t−1}| + E_{t−1})·|Whh|)‖₂ + ‖Whh‖₂·E_{t−1}. tanh is 1-Lipschitz and the implementation's tanh is within ε
/// of the exact one, so E_t = ‖Â_t − A_t‖₂ + √h·ε, with E_0 = 0 (H_0 is given exactly, or zero). Every element of
/// Ĥ_t is within E_t of H_t. ‖Whh‖₂ is bounded from above by Gelfand's formula, as in EngineErrorBounds.</para>
/// <para>The output is a sum of h + 1 terms (bo_k and h products), so
/// |Ô_t,k − O_t,k| ≤ γ_{h+1}·(|bo_k| + Σ_j (|H_t,j| + E_t)·|Who_jk|) + ‖Who[:, k]‖₂·E_t. For a graph without an output
/// layer (Who = I, bo = 0) that is at least E_t, the bound on the hidden state the graph returns.</para>
/// <para>The tanh errors ε: ours is <see cref="Activations.TanhMaxAbsoluteError"/> (1.75 ulp of 2⁻²⁴, enforced by an
/// exhaustive sweep in the kernel tests); ONNX Runtime's is <see cref="OnnxRuntimeTanhError"/>, derived in its remarks
/// and checked by a sweep in <see cref="OnnxRuntimeTanhTests"/>; torch's float32 tanh is within 2 ulp (glibc's
/// documented maximum for tanhf, and Sleef's 1.0-ulp tanhf where torch vectorizes), and values below 1 have an ulp of
/// at most 2⁻²⁴, so <see cref="TorchFloatTanhError"/> = 2⁻²³; a float64 tanh (torch's double path, and .NET's
/// Math.Tanh that the reference uses) within 2 ulp gives <see cref="DoubleTanhError"/> = 2⁻⁵².</para>
/// </remarks>
internal sealed class ForwardErrorBound
{
    /// <summary>u of float32, 2⁻²⁴.</summary>
    public static readonly double SingleRoundoff = Math.ScaleB(1, -24);

    /// <summary>u of float64, 2⁻⁵³.</summary>
    public static readonly double DoubleRoundoff = Math.ScaleB(1, -53);

    /// <summary>Our tanh kernel's largest absolute error.</summary>
    public const double OursTanhError = Activations.TanhMaxAbsoluteError;

    /// <summary>torch's float32 tanh: 2 ulp at most, an ulp below 1 at most 2⁻²⁴.</summary>
    public static readonly double TorchFloatTanhError = 2 * SingleRoundoff;

    /// <summary>A float64 tanh within 2 ulp (torch's double tanh, Math.Tanh in the reference).</summary>
    public static readonly double DoubleTanhError = 2 * DoubleRoundoff;

    /// <summary>
    /// ONNX Runtime's RNN tanh: its CPU RNN kernel evaluates Tanh(x) = 2·Sigmoid(2x) − 1 in float, with
    /// Sigmoid(y) = 1/(1 + exp(−y)) for y ≥ 0 and exp(y)/(1 + exp(y)) below 0 (rnn_activation_functors.h). With an exp
    /// within 1 ulp (relative 2u) and correctly rounded +, −, /: for y ≥ 0, e = exp(−y) ≤ 1 enters 1 + e with relative
    /// weight at most ½, so σ̂ = σ·(1 + δ₃)/((1 + θ)(1 + δ₂)) with |θ|, |δ₂|, |δ₃| ≤ u: |σ̂ − σ| ≤ γ₃·σ ≤ γ₃; doubling it
    /// is exact, the subtraction of 1 rounds once more: |t̂ − tanh| ≤ 2γ₃ + u·(1 + 2γ₃). Below 0, σ̂ = e(1 + δ₁)(1 + δ₃)/
    /// ((1 + e)(1 + θ)(1 + δ₂)) with |δ₁| ≤ 2u: relative γ₅ on a σ ≤ ½, so |t̂ − tanh| ≤ γ₅ + u·(1 + γ₅). The larger
    /// of the two, about 7u ≈ 4.2e−7.
    /// </summary>
    public static readonly double OnnxRuntimeTanhError = Math.Max(
        2 * Gamma(3, SingleRoundoff) + SingleRoundoff * (1 + 2 * Gamma(3, SingleRoundoff)),
        Gamma(5, SingleRoundoff) + SingleRoundoff * (1 + Gamma(5, SingleRoundoff)));

    private readonly int _n, _h;

    /// <summary>Propagates the bound beside the reference's forward pass of <paramref name="problem"/>.</summary>
    /// <param name="problem">The exact problem (parameters, biases' magnitudes, inputs, H_0) and its reference pass.</param>
    /// <param name="roundoff">u of the implementation's precision.</param>
    /// <param name="tanhError">ε, the implementation's largest absolute tanh error.</param>
    public ForwardErrorBound(ElmanProblem problem, double roundoff, double tanhError)
    {
        RnnShape shape = problem.Shape;
        int d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize, T = problem.SequenceLength, n = problem.BatchSize;
        _n = n;
        _h = h;
        ReadOnlySpan<double> p = problem.Parameters;
        ReadOnlySpan<double> wxh = shape.Wxh(p), whh = shape.Whh(p), who = shape.Who(p), bo = shape.Bo(p);
        double recurrentNorm = SpectralNormUpperBound(whh, h, h);
        double gammaHidden = Gamma(d + h + 2, roundoff), gammaOutput = Gamma(h + 1, roundoff);
        var columnNorms = new double[o];
        for (int k = 0; k < o; k++)
        {
            double sum = 0;
            for (int j = 0; j < h; j++) sum += who[j * o + k] * who[j * o + k];
            columnNorms[k] = Math.Sqrt(sum);
        }

        ReferenceForwardPass forward = problem.Reference;
        HiddenRowBound = new double[(T + 1) * n];
        OutputBound = new double[T * n * o];
        for (int t = 1; t <= T; t++)
        {
            ReadOnlySpan<double> previous = forward.HiddenState(t - 1), current = forward.HiddenState(t);
            for (int b = 0; b < n; b++)
            {
                double previousBound = HiddenRowBound[(t - 1) * n + b], rounding = 0;
                for (int j = 0; j < h; j++)
                {
                    double terms = problem.BiasMagnitudes[j];
                    for (int i = 0; i < d; i++) terms += Math.Abs(problem.Inputs[((t - 1) * n + b) * d + i] * wxh[i * h + j]);
                    for (int k = 0; k < h; k++) terms += (Math.Abs(previous[b * h + k]) + previousBound) * Math.Abs(whh[k * h + j]);
                    rounding += Square(gammaHidden * terms);
                }

                double bound = Math.Sqrt(rounding) + recurrentNorm * previousBound + Math.Sqrt(h) * tanhError;
                HiddenRowBound[t * n + b] = bound;
                for (int k = 0; k < o; k++)
                {
                    double terms = Math.Abs(bo[k]);
                    for (int j = 0; j < h; j++) terms += (Math.Abs(current[b * h + j]) + bound) * Math.Abs(who[j * o + k]);
                    OutputBound[((t - 1) * n + b) * o + k] = gammaOutput * terms + columnNorms[k] * bound;
                }
            }
        }
    }

    /// <summary>E_t per row: the bound on ‖Ĥ_t[b] − H_t[b]‖₂ at index t·n + b, t = 0..T.</summary>
    public double[] HiddenRowBound { get; }

    /// <summary>Elementwise bounds on every step's outputs, T·n·o, time-major.</summary>
    public double[] OutputBound { get; }

    /// <summary>Elementwise bounds on H_t (n·h values): each element of a row is within the row's 2-norm bound.</summary>
    public double[] Hidden(int step)
    {
        var bound = new double[_n * _h];
        for (int b = 0; b < _n; b++) Array.Fill(bound, HiddenRowBound[step * _n + b], b * _h, _h);
        return bound;
    }

    /// <summary>The output bounds of the last step only (n·o values), or of every step.</summary>
    public double[] Outputs(OutputSteps steps, int outputSize) =>
        steps == OutputSteps.LastStep ? OutputBound[^(_n * outputSize)..] : OutputBound;

    /// <summary>γ_k = k·u/(1 − k·u).</summary>
    public static double Gamma(int k, double roundoff) => k * roundoff / (1 - k * roundoff);

    /// <summary>
    /// An upper bound on ‖W‖₂ of a rows×columns matrix: ρ(WᵀW) ≤ ‖(WᵀW)^p‖∞^(1/p) for any p (every induced norm bounds
    /// the spectral radius), evaluated with p = 2⁶ by repeated squaring with rescaling, at most columns^(1/128) above
    /// the true norm.
    /// </summary>
    public static double SpectralNormUpperBound(ReadOnlySpan<double> w, int rows, int columns)
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
        double logNorm = 0;
        var next = new double[m.Length];
        for (int s = 0; s <= Squarings; s++)
        {
            double scale = 0;
            for (int i = 0; i < columns; i++)
            {
                double row = 0;
                for (int j = 0; j < columns; j++) row += Math.Abs(m[i * columns + j]);
                scale = Math.Max(scale, row);
            }

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

        // The last factor covers the double rounding of this computation.
        return Math.Sqrt(Math.Exp(logNorm / Math.Pow(2, Squarings))) * (1 + 1e-9);
    }

    private static double Square(double x) => x * x;
}
