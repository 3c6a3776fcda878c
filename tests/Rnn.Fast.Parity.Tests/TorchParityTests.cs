using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static TorchSharp.torch;

namespace Rnn.Fast.Parity.Tests;

/// <summary>
/// Our engines against libtorch (TorchSharp's nn.RNN(tanh) + nn.Linear, autograd), on the same parameters, inputs,
/// H_0 and targets: every output, both losses, and the gradients of every parameter, of H_0 and of X agree within
/// <see cref="ParityTolerance"/>. libtorch is an implementation nobody here wrote: where it agrees, our layout,
/// our transposes, our losses and our backward pass are what PyTorch users mean by an Elman RNN.
/// </summary>
/// <remarks>
/// The check bites: with Whh copied into torch untransposed (weight_hh_l0 = Whh instead of Whhᵀ), every one of
/// these tests failed, by errors of 0.05 to 0.8 against tolerances of 1e−4 and below (tried by hand).
/// Families and sizes: <see cref="ShapeFamily"/>; tolerance: <see cref="ParityTolerance"/>; engines: <see cref="OurEngines"/>.
/// </remarks>
public sealed class TorchParityTests
{
    /// <summary>Every engine × every family's problems × both losses.</summary>
    public static TheoryData<string, string, int, LossKind> EngineFamilyCaseLoss()
    {
        var data = new TheoryData<string, string, int, LossKind>();
        foreach (string engine in OurEngines.All.Keys)
        {
            foreach (ShapeFamily family in ShapeFamily.All)
            {
                for (int index = 0; index < ShapeFamily.CasesPerFamily; index++)
                {
                    data.Add(engine, family.Name, index, LossKind.LastOutputMeanSquaredError);
                    data.Add(engine, family.Name, index, LossKind.AllOutputsMeanSquaredError);
                }
            }
        }

        return data;
    }

    /// <summary>Every engine × one problem per family, for the float32 comparison.</summary>
    public static TheoryData<string, string> EngineFamily()
    {
        var data = new TheoryData<string, string>();
        foreach (string engine in OurEngines.All.Keys)
        {
            foreach (ShapeFamily family in ShapeFamily.All) data.Add(engine, family.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EngineFamilyCaseLoss))]
    public void OutputsLossAndEveryGradientEqualLibtorchsInDouble(string engine, string family, int index, LossKind loss) =>
        AssertParity(engine, ShapeFamily.Named(family).Case(index), loss, ScalarType.Float64);

    [Theory]
    [MemberData(nameof(EngineFamily))]
    public void OutputsLossAndEveryGradientEqualLibtorchsFloat32WithinItsRoundoff(string engine, string family) =>
        AssertParity(engine, ShapeFamily.Named(family).Case(0), LossKind.LastOutputMeanSquaredError, ScalarType.Float32);

    [Property(MaxTest = 100, Arbitrary = [typeof(TorchParityTests)])]
    public void OnRandomSmallShapesEveryEngineEqualsLibtorchForBothLosses(ParityCase problem)
    {
        foreach (string engine in OurEngines.All.Keys)
        {
            AssertParity(engine, problem, LossKind.LastOutputMeanSquaredError, ScalarType.Float64);
            AssertParity(engine, problem, LossKind.AllOutputsMeanSquaredError, ScalarType.Float64);
        }
    }

    /// <summary>Random small problems for the property: n 1..4, d 1..6, h 1..8, o 1..4, T 1..6, any seed.</summary>
    public static Arbitrary<ParityCase> SmallCases() => Arb.From(
        from n in Gen.Choose(1, 4)
        from d in Gen.Choose(1, 6)
        from h in Gen.Choose(1, 8)
        from o in Gen.Choose(1, 4)
        from T in Gen.Choose(1, 6)
        from seed in Gen.Choose(0, int.MaxValue / 4)
        select new ParityCase(n, d, h, o, T, seed));

    /// <summary>
    /// Runs the problem on our engine and in torch (in <paramref name="torchType"/>) and compares everything, within
    /// <see cref="ParityTolerance.Bound"/> at the coarser of the two precisions.
    /// </summary>
    private static void AssertParity(string engine, ParityCase problem, LossKind loss, ScalarType torchType)
    {
        OurEngine ourEngine = OurEngines.All[engine];
        double torchRoundoff = torchType == ScalarType.Float64 ? ParityTolerance.DoubleRoundoff : ParityTolerance.SingleRoundoff;
        double roundoff = Math.Max(ourEngine.Roundoff, torchRoundoff);
        ElmanRun ours = ourEngine.Run(problem, loss);
        ElmanRun torch = TorchRun.Run(problem, loss, torchType, out double[] torchHiddenHiddenBias);
        RnnShape shape = problem.Shape;
        int lastOutputs = problem.BatchSize * shape.OutputSize;
        string where = $"{engine} vs torch {torchType}, {problem}, {loss}";

        AssertClose($"O_1..O_T ({where})", ours.Outputs, torch.Outputs, problem, roundoff);
        AssertClose($"O_T ({where})", ours.Outputs[^lastOutputs..], torch.Outputs[^lastOutputs..], problem, roundoff);
        AssertClose($"loss ({where})", [ours.Loss], [torch.Loss], problem, roundoff);

        double[] o = ours.ParameterGradients, t = torch.ParameterGradients;
        AssertClose($"dWxh ({where})", Region(o, shape.WxhOffset, shape.WxhLength), Region(t, shape.WxhOffset, shape.WxhLength), problem, roundoff);
        AssertClose($"dWhh ({where})", Region(o, shape.WhhOffset, shape.WhhLength), Region(t, shape.WhhOffset, shape.WhhLength), problem, roundoff);
        AssertClose($"dbh vs bias_ih ({where})", Region(o, shape.BhOffset, shape.BhLength), Region(t, shape.BhOffset, shape.BhLength), problem, roundoff);
        AssertClose($"dbh vs bias_hh ({where})", Region(o, shape.BhOffset, shape.BhLength), torchHiddenHiddenBias, problem, roundoff);
        AssertClose($"dWho ({where})", Region(o, shape.WhoOffset, shape.WhoLength), Region(t, shape.WhoOffset, shape.WhoLength), problem, roundoff);
        AssertClose($"dbo ({where})", Region(o, shape.BoOffset, shape.BoLength), Region(t, shape.BoOffset, shape.BoLength), problem, roundoff);
        AssertClose($"dH_0 ({where})", ours.InitialHiddenGradient, torch.InitialHiddenGradient, problem, roundoff);
        AssertClose($"dX ({where})", ours.InputGradient, torch.InputGradient, problem, roundoff);
    }

    private static double[] Region(double[] values, int offset, int length) => values[offset..(offset + length)];

    private static void AssertClose(string what, double[] ours, double[] torch, ParityCase problem, double roundoff)
    {
        Assert.True(ours.Length == torch.Length, $"{what}: ours has {ours.Length} values, torch {torch.Length}.");
        double scale = 0;
        foreach (double value in torch) scale = Math.Max(scale, Math.Abs(value));
        double bound = ParityTolerance.Bound(problem, roundoff, scale);
        int worst = -1;
        double worstError = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            double error = Math.Abs(ours[i] - torch[i]);
            if (error > worstError || double.IsNaN(error))
            {
                worst = i;
                worstError = error;
                if (double.IsNaN(error)) break; // NaN fails the bound below: report the first.
            }
        }

        if (worst >= 0 && !(worstError <= bound))
        {
            Assert.Fail($"{what}: at [{worst}] ours {ours[worst]:R}, torch {torch[worst]:R}, error {worstError:E2} > tolerance {bound:E2}.");
        }
    }
}
