using Rnn.Fast.Reference;

namespace Rnn.Fast.Tests.Reference;

/// <summary>
/// The tutorial worked by hand: a network with two hidden units reads 1, 3, 5, 7, 9 and should say 11.
/// Every number below was derived step by step from the formulas in the comments (with Python's math module,
/// independently of the C# code) and is compared with the reference's.
/// </summary>
/// <remarks>
/// The inputs and the target are scaled by 1/10 (0.1, 0.3, …, 0.9 → 1.1): raw inputs up to 9 would drive tanh into
/// saturation, where every gradient nearly vanishes and the example would check little. (The demo uses a larger
/// divisor, sized for its larger numbers.)
/// </remarks>
public sealed class ReferenceTutorialExampleTests
{
    // Values from independent arithmetic agree with the reference's to a few units in the 16th digit.
    private const double Tolerance = 1e-14;

    // d = 1, h = 2, o = 1, n = 1, T = 5.
    private static readonly RnnShape Shape = new(1, 2, 1);

    private static readonly double[] Inputs = [0.1, 0.3, 0.5, 0.7, 0.9];
    private static readonly double[] Target = [1.1];

    // [Wxh (1×2) | Whh (2×2): row k feeds H[k] into column j | bh | Who (2×1) | bo]
    private static readonly double[] Parameters =
    [
        0.5, -0.25,   // Wxh
        0.1, 0.2,     // Whh row 0
        -0.3, 0.4,    // Whh row 1
        0.0, 0.1,     // bh
        0.8, -0.6,    // Who
        0.2,          // bo
    ];

    [Fact]
    public void ForwardPassComputesEachHiddenStateAsWorkedByHand()
    {
        ReferenceForwardPass forward = ReferenceRnn.Forward(Shape, Parameters, Inputs, 5, 1);

        // H_0 = (0, 0): no initial state was given.
        AssertValues([0.0, 0.0], forward.HiddenState(0));
        // A_1 = x_1·Wxh + H_0·Whh + bh = 0.1·(0.5, −0.25) + (0, 0.1) = (0.05, 0.075)
        // H_1 = tanh(A_1)
        AssertValues([0.04995837495787998, 0.07485969068749912], forward.HiddenState(1));
        // A_2 = 0.3·(0.5, −0.25) + (H_1[0]·0.1 + H_1[1]·(−0.3), H_1[0]·0.2 + H_1[1]·0.4) + (0, 0.1)
        //     = (0.13253793028953825, 0.06493555126657566)
        AssertValues([0.1317672776977356, 0.06484443530359398], forward.HiddenState(2));
        // A_3 = (0.2437233971786954, 0.027291229660984725)
        AssertValues([0.2390095563336343, 0.027284456074341195], forward.HiddenState(3));
        // A_4 = (0.365715618811061, −0.01628430630353664)
        AssertValues([0.35023853843012986, -0.01628286703951288], forward.HiddenState(4));
        // A_5 = (0.48990871395486685, −0.06146543912977917)
        AssertValues([0.45414397709142423, -0.06138815044575022], forward.HiddenState(5));
        // O_5 = H_5·Who + bo = 0.45414…·0.8 + (−0.06138…)·(−0.6) + 0.2
        AssertValues([0.6001480719405896], forward.LastOutput);
    }

    [Fact]
    public void LossIsTheSquaredErrorOfTheLastOutput()
    {
        ReferenceForwardPass forward = ReferenceRnn.Forward(Shape, Parameters, Inputs, 5, 1);

        // n·o = 1, so L = (O_5 − 1.1)² = (0.6001480719405896 − 1.1)²
        double loss = ReferenceRnn.Loss(forward, Target, LossKind.LastOutputMeanSquaredError);

        Assert.Equal(0.24985194998471008, loss, Tolerance);
    }

    [Fact]
    public void BackwardPassGivesEveryGradientAsWorkedByHand()
    {
        ReferenceForwardPass forward = ReferenceRnn.Forward(Shape, Parameters, Inputs, 5, 1);
        ReferenceGradients gradients = ReferenceRnn.Backward(forward, Target, LossKind.LastOutputMeanSquaredError);
        ReadOnlySpan<double> parameterGradients = gradients.Parameters;

        // dO_5 = 2·(O_5 − Y) = −0.999703856118821
        // dWho = H_5ᵀ·dO_5, dbo = dO_5
        AssertValues([-0.4540094851314343, 0.06136997072061881], Shape.Who(parameterGradients));
        AssertValues([-0.999703856118821], Shape.Bo(parameterGradients));

        // Back through time, with dH_5 = dO_5·Whoᵀ, dA_t = dH_t ⊙ (1 − H_t²), dH_{t−1} = dA_t·Whhᵀ:
        //   t = 5: dH = (−0.7997630848950568, 0.5998223136712926),  dA = (−0.6348145463232012, 0.5975618802740235)
        //   t = 4: dH = (0.05603092142248457, 0.4294691160065698),  dA = (0.049157774490413746, 0.42935525010439546)
        //   t = 3: dH = (0.09078682746992046, 0.15699476769463405), dA = (0.0856005783820764, 0.15687789426748572)
        //   t = 2: dH = (0.03993563669170478, 0.03707098419237137), dA = (0.03924224958820232, 0.036915108088759065)
        //   t = 1: dH = (0.011307246576572045, 0.0029933683590429305), dA = (0.011279025507000683, 0.0029765936027122374)
        // dWxh = Σ_t x_t·dA_t
        AssertValues([-0.48122178292939255, 0.9281655062403398], Shape.Wxh(parameterGradients));
        // dWhh = Σ_t H_{t−1}ᵀ·dA_t (row k, column j: Σ_t H_{t−1}[k]·dA_t[j])
        AssertValues([-0.19734750680524535, 0.33442479927579105, 0.020166227824226682, 0.014920815855990052],
            Shape.Whh(parameterGradients));
        // dbh = Σ_t dA_t
        AssertValues([-0.4495349183555082, 1.2236867263373759], Shape.Bh(parameterGradients));
        // dH_0 = dA_1·Whhᵀ
        AssertValues([0.001723221271242516, -0.0021930702110153095], gradients.InitialHidden);
        // dx_t = dA_t·Wxhᵀ
        AssertValues([0.004895364352822282, 0.010392347771911394, 0.003580815624166768, -0.08275992528089199, -0.4667977432301065],
            gradients.Inputs);
    }

    [Fact]
    public void OneGradientDescentStepMovesEveryParameterAgainstItsGradient()
    {
        double[] parameters = [.. Parameters];
        const double learningRate = 0.05;

        double loss = ReferenceRnn.TrainStep(Shape, Inputs, 5, 1, Target, LossKind.LastOutputMeanSquaredError, learningRate, parameters);

        // The loss before the step, and p ← p − 0.05·g: e.g. bo = 0.2 − 0.05·(−0.999703856118821).
        Assert.Equal(0.24985194998471008, loss, Tolerance);
        Assert.Equal(0.2 + 0.05 * 0.999703856118821, Shape.Bo<double>(parameters)[0], Tolerance);
        Assert.Equal(0.5 - 0.05 * -0.48122178292939255, Shape.Wxh<double>(parameters)[0], Tolerance);
        // A small enough step lowers the loss.
        double after = ReferenceRnn.Loss(ReferenceRnn.Forward(Shape, parameters, Inputs, 5, 1), Target,
            LossKind.LastOutputMeanSquaredError);
        Assert.True(after < loss, $"loss {after} after the step, {loss} before");
    }

    private static void AssertValues(double[] expected, ReadOnlySpan<double> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], Tolerance);
    }
}
