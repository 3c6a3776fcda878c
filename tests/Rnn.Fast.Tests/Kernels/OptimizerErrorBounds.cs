using static Rnn.Fast.Tests.Support.FloatTolerance;

namespace Rnn.Fast.Tests.Kernels;

/// <summary>
/// Rigorous bounds on how far one float step of the fused optimizer passes may lie from the double reference, per
/// element, derived from the standard model of float arithmetic (each operation and each constant rounded to float
/// carries a relative error of at most u = 2⁻²⁴; a value made of k roundings of terms t_i is within γ_k·Σ|t_i|) and
/// propagated through the step's formulas in the operation order of the kernels. Never tuned to what the kernels give.
/// </summary>
/// <remarks>
/// <para>The inputs p, g and the state are floats, so the reference starts from exactly the same values; the double
/// hyper-parameters are exact for both. The double scalars both compute (1 − β, bias corrections, lr/(1 − β1^t)) carry
/// about 2⁻⁵³ relative error, 2²⁹ times below u; a comparison allows the reference's own error as a factor
/// 1 + 10⁻⁶ on the bound plus 10⁻¹²·|reference|.</para>
/// <para>SGD, E_x the bound on |x̂ − x|: g′ = fma(p, λ_f, g), E_g = γ₂(|g| + |λp|); b′ = fma(g′, (1 − d)_f, fl(b·μ_f)),
/// E_b = γ₃(|μb| + |(1 − d)g′|) + (1 + γ₃)|1 − d|·E_g (first step b′ = g′: E_b = E_g); Nesterov d = fma(b′, μ_f, g′),
/// E_d = γ₂(|g′| + |μb′|) + (1 + γ₂)(E_g + μ·E_b); p′ = fma(d, (−lr)_f, p), E_p = γ₂(|p| + lr·|d|) + (1 + γ₂)·lr·E_d.</para>
/// <para>Adam: AdamW's p₁ = fl(p·(1 − lrλ)_f), E_p₁ = γ₂|p₁|; Adam's g′ as SGD's. m′ = fma(w_f, fl(g′ − m), m) with
/// w = 1 − β1 (or fma(w_f − 1, fl(g′ − m), g′) when w ≥ 0.5, w_f − 1 exact by Sterbenz): E_Δ = (1 + u)E_g + u|g′ − m|,
/// E_m = (|c| + e_c)·E_Δ + e_c·|g′ − m| + E_base + u·(|base| + E_base + (|c| + e_c)(|g′ − m| + E_Δ)), c the coefficient,
/// e_c = u·w its error in both branches, E_base = E_g when the base is g′.
/// v′ = fma(fl((1 − β2)_f·g′), g′, fl(v·β2_f)), all terms ≥ 0, three roundings on each: E_v = γ₃(β2·v + (1 − β2)g′²)
/// + (1 + γ₃)(1 − β2)E_g(2|g′| + E_g).
/// AMSGrad's max is 1-Lipschitz: E_v̂ ≤ E_v. r = fl(√v̂): E_r = √v̂ − √max(0, v̂ − E_v) + u√(v̂ + E_v) (the larger side of
/// the concave √). s = fl(r / (√(1 − β2^t))_f): E_s = (1 + γ₂)E_r/c₂ + γ₂·r/c₂. den = fl(s + ε_f): E_den = (1 + u)E_s + γ₂(s + ε).
/// q = fl(fl(α_f·m′)/den), α = lr/(1 − β1^t): E_q = α(E_m + γ₃(|m′| + E_m))/(den − E_den) + α|m′|E_den/(den(den − E_den)).
/// p′ = fl(p₁ − q): E_p = (1 + u)(E_p₁ + E_q) + u|p′|.</para>
/// </remarks>
internal static class OptimizerErrorBounds
{
    /// <summary>Allowance for the double reference's own rounding (see the remarks).</summary>
    public static double Allow(double bound, double reference) => bound * (1 + 1e-6) + 1e-12 * Math.Abs(reference);

    /// <summary>SGD's bounds on the new parameter and the new buffer, from the inputs and the reference's values.</summary>
    public static (double Parameter, double Buffer) Sgd(double p, double g, double b, bool firstStep, double lr, double momentum, double dampening,
        double weightDecay, bool nesterov)
    {
        double g1 = g + weightDecay * p;
        double eg = weightDecay != 0 ? Gamma(2) * (Math.Abs(g) + Math.Abs(weightDecay * p)) : 0;
        double d = g1, ed = eg, eb = 0;
        if (momentum != 0)
        {
            double c = 1 - dampening;
            double b1 = firstStep ? g1 : momentum * b + c * g1;
            eb = firstStep ? eg : Gamma(3) * (Math.Abs(momentum * b) + Math.Abs(c * g1)) + (1 + Gamma(3)) * Math.Abs(c) * eg;
            if (nesterov)
            {
                d = g1 + momentum * b1;
                ed = Gamma(2) * (Math.Abs(g1) + Math.Abs(momentum * b1)) + (1 + Gamma(2)) * (eg + momentum * eb);
            }
            else
            {
                d = b1;
                ed = eb;
            }
        }
        double ep = Gamma(2) * (Math.Abs(p) + lr * Math.Abs(d)) + (1 + Gamma(2)) * lr * ed;
        return (ep, eb);
    }

    /// <summary>Adam's and AdamW's bounds on the new parameter, m, v and the AMSGrad maximum.</summary>
    public static (double Parameter, double First, double Second, double Max) Adam(double p, double g, double m, double v, double vMax, long step,
        double lr, double beta1, double beta2, double epsilon, double weightDecay, bool decoupled, bool amsGrad)
    {
        double p1 = p, ep1 = 0, g1 = g, eg = 0;
        if (decoupled && weightDecay != 0)
        {
            p1 = p * (1 - lr * weightDecay);
            ep1 = Gamma(2) * Math.Abs(p1);
        }
        else if (!decoupled && weightDecay != 0)
        {
            g1 = g + weightDecay * p;
            eg = Gamma(2) * (Math.Abs(g) + Math.Abs(weightDecay * p));
        }

        double w = 1 - beta1, difference = g1 - m;
        double eDifference = (1 + Unit) * eg + Unit * Math.Abs(difference);
        bool small = Math.Abs((float)w) < 0.5f;
        double coefficient = small ? w : w - 1, baseValue = small ? m : g1;
        double m1 = beta1 * m + w * g1;
        // The coefficient's own error is u·w in both branches (w_f − 1 is exact), whatever |coefficient| is.
        double ec = Unit * Math.Abs(w), eBase = small ? 0 : eg;
        double magnitude = Math.Abs(baseValue) + eBase + (Math.Abs(coefficient) + ec) * (Math.Abs(difference) + eDifference);
        double em = (Math.Abs(coefficient) + ec) * eDifference + ec * Math.Abs(difference) + eBase + Unit * magnitude;

        double c2 = 1 - beta2;
        double v1 = beta2 * v + c2 * g1 * g1;
        double ev = Gamma(3) * (beta2 * v + c2 * g1 * g1) + (1 + Gamma(3)) * c2 * eg * (2 * Math.Abs(g1) + eg);
        double vHat = amsGrad ? Math.Max(vMax, v1) : v1;

        double correction2 = Math.Sqrt(1 - Math.Pow(beta2, step));
        double r = Math.Sqrt(vHat);
        double er = r - Math.Sqrt(Math.Max(0, vHat - ev)) + Unit * Math.Sqrt(vHat + ev);
        double s = r / correction2;
        double es = (1 + Gamma(2)) * er / correction2 + Gamma(2) * s;
        double den = s + epsilon;
        double eden = (1 + Unit) * es + Gamma(2) * (s + epsilon);
        double alpha = lr / (1 - Math.Pow(beta1, step));
        double q = alpha * m1 / den;
        double eq = alpha * (em + Gamma(3) * (Math.Abs(m1) + em)) / (den - eden) + alpha * Math.Abs(m1) * eden / (den * (den - eden));
        double ep = (1 + Unit) * (ep1 + eq) + Unit * Math.Abs(p1 - q);
        return (ep, em, ev, amsGrad ? ev : 0);
    }

    private const double Unit = UnitRoundoff;
}
