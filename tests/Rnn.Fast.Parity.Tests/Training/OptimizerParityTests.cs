using Rnn.Fast.Interop;
using Rnn.Fast.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Rnn.Fast.Parity.Tests.Training;

/// <summary>
/// Our optimizers and schedules against libtorch 2.10 (TorchSharp 0.107): torch.optim.SGD, Adam and AdamW with
/// StepLR, CosineAnnealingLR and LinearLR, over 100 steps of seeded gradients, on five torch parameters holding Wxh,
/// Whh, bh, Who and bo (with the biases in a group without weight decay where a case says so). Each step starts from
/// torch's own state — its parameters, momentum buffer or moments, step count and scheduled rate — and compares our
/// one step with torch's element by element, in ulps; the drift of our uninterrupted run from torch's is reported.
/// </summary>
/// <remarks>
/// <para>What is stated, and why. SGD: TorchSharp's SGD is torch's single-tensor algorithm, and ours performs the same
/// float operations (add with alpha as a fused multiply-add), so every step agrees in every bit, and so do 100 steps.</para>
/// <para>Adam and AdamW are compared twice. (1) With PyTorch's own <c>_single_tensor_adam</c>, run operation by
/// operation in libtorch (<see cref="SingleTensorAdam"/>): m, v and the AMSGrad maximum agree in every bit; so does the
/// parameter wherever libtorch's float square root of v is the correctly rounded one. libtorch's is not always (about
/// one element in six here is 1 ulp off; ours is IEEE's, the same on every path), and there the parameter may differ
/// by the denominator's extra relative error δ ≤ 3·2⁻²³ (1 ulp in the root, 1 in the quotient, 1 in the sum):
/// |Δp| ≤ 1.01·δ·|q| + ulp(q) + ulp(p′) with q = (lr/(1 − β1^t))·m′/den. (2) With TorchSharp's torch.optim.Adam/AdamW,
/// whose first moment is <c>m.mul_(β1).add_(g, 1 − β1)</c> where PyTorch (since 2.0) uses <c>lerp</c>: both are
/// within γ₄ of β1·m + (1 − β1)·g′ on the terms |m|, (1 − β1)|m|, (1 − β1)|g′|, so |Δm| ≤ 2γ₄ times their sum; v is
/// the same operations (0 ulp); the parameter then moves by at most (lr/(1 − β1^t))·|Δm|/den·(1 + γ₃) beyond the root
/// term above.</para>
/// <para>Schedules: the learning rate of every step is asserted equal to torch's, bit for bit.</para>
/// </remarks>
public sealed class OptimizerParityTests(ITestOutputHelper output)
{
    // d = 3, h = 29, o = 2: 1017 parameters, and each of the five tensors has a vector body and a tail on every path.
    private static readonly RnnShape Shape = new(3, 29, 2);
    private const int Steps = 100;
    private const double Unit = 1.0 / 16777216; // 2⁻²⁴

    public static TheoryData<string> SgdCases() => CasesWhere(c => !c.IsAdam);

    public static TheoryData<string> AdamCases() => CasesWhere(c => c.IsAdam);

    [Theory]
    [MemberData(nameof(SgdCases))]
    public void SgdEqualsTorchBitForBitFromItsStateAndOver100Steps(string name)
    {
        Run(name, (k, torchState, before, gradients, ours, oursState, after, torchAfter, learningRate) =>
        {
            Assert.Equal(0, MaxUlps(ours, after));
            for (int b = 0; b < TrainingState.BufferCount(oursState.Kind!.Value); b++) Assert.Equal(0, MaxUlps(oursState.Buffer(b).ToArray(), torchAfter.Buffer(b).ToArray()));
        }, (own, torchFinal, _) => Assert.Equal(0, MaxUlps(own, torchFinal)));
    }

    [Theory]
    [MemberData(nameof(AdamCases))]
    public void AdamAgreesWithPyTorchsSingleTensorAdamAndWithTorchSharpsWithinTheStatedBounds(string name)
    {
        OptimizerParityCase parity = OptimizerParityCase.Named(name);
        (double beta1, double weightDecayDefault, bool decoupled) = parity.Options.Optimizer switch
        {
            AdamOptimizer a => (a.Beta1, a.WeightDecay, false),
            AdamWOptimizer w => (w.Beta1, w.WeightDecay, true),
            _ => throw new ArgumentException(name),
        };
        long misroundedRoots = 0, replicaUlps = 0, torchSharpUlps = 0, roots = 0;
        string? example = null;
        float[]? replicaRun = null;
        TrainingState? replicaRunState = null;
        Run(name, (k, torchState, before, gradients, ours, oursState, after, torchAfter, learningRate) =>
        {
            // (1) PyTorch's single-tensor Adam from the same state.
            (float[] p, float[][] state, float[] libtorchRoots) = SingleTensorAdam.Step(parity, before, gradients, torchState, learningRate, Split);
            for (int b = 0; b < state.Length; b++) Assert.Equal(0, MaxUlps(oursState.Buffer(b).ToArray(), state[b]));
            long step = torchState.StepCount + 1;
            double alpha = learningRate / (1 - Math.Pow(beta1, step));
            (double betaTwo, double epsilon) = parity.Options.Optimizer switch { AdamOptimizer a => (a.Beta2, a.Epsilon), AdamWOptimizer w => (w.Beta2, w.Epsilon), _ => (0, 0) };
            float[] secondMoment = state.Length == 3 ? state[2] : state[1];
            double correction2 = Math.Sqrt(1 - Math.Pow(betaTwo, step));
            for (int i = 0; i < ours.Length; i++)
            {
                roots++;
                float root = MathF.Sqrt(secondMoment[i]);
                double q = alpha * state[0][i] / (root / correction2 + epsilon);
                if (root == libtorchRoots[i])
                {
                    Assert.True(ours[i] == p[i], $"{name} step {k + 1} element {i}: {ours[i]:R} vs {p[i]:R} with the same root");
                    continue;
                }
                misroundedRoots++;
                // Ours is the correctly rounded root: nearer to the exact √v (double holds it to 2⁻⁵³) than libtorch's.
                double exactRoot = Math.Sqrt(secondMoment[i]);
                Assert.True(Math.Abs(root - exactRoot) <= Math.Abs(libtorchRoots[i] - exactRoot), $"√{secondMoment[i]:R}: ours {root:R}, libtorch {libtorchRoots[i]:R}");
                example ??= $"√{secondMoment[i]:R} = {exactRoot:R}: ours {root:R}, libtorch {libtorchRoots[i]:R}";
                double allowed = 1.01 * 3 * Math.ScaleB(1, -23) * Math.Abs(q) + Ulp(q) + Ulp(p[i]);
                Assert.True(Math.Abs((double)ours[i] - p[i]) <= allowed, $"{name} step {k + 1} element {i}: {ours[i]:R} vs {p[i]:R}, allowed {allowed:E3}");
                replicaUlps = Math.Max(replicaUlps, UlpDistance(ours[i], p[i]));
            }

            // (2) TorchSharp's torch.optim (mul-add first moment) from the same state.
            for (int i = 0; i < ours.Length; i++)
            {
                double decay = parity.Options.WeightDecayOf(TensorOf(i));
                double g1 = decoupled ? gradients[i] : gradients[i] + decay * before[i];
                double m = torchState.Buffer(0)[i], w = 1 - beta1;
                double mBound = 2 * Gamma(4) * (Math.Abs(m) * (1 + w) + w * Math.Abs(g1));
                Assert.True(Math.Abs((double)oursState.Buffer(0)[i] - torchAfter.Buffer(0)[i]) <= mBound, $"{name} step {k + 1}: m[{i}]");
                Assert.Equal(torchAfter.Buffer(1)[i], oursState.Buffer(1)[i]);
                float root = MathF.Sqrt(state.Length == 3 ? state[2][i] : state[1][i]);
                double den = root / correction2 + epsilon;
                double q = alpha * torchAfter.Buffer(0)[i] / den;
                double allowed = alpha * mBound / den * (1 + Gamma(3)) + 1.01 * 3 * Math.ScaleB(1, -23) * Math.Abs(q) + Ulp(q) + Ulp(after[i]);
                Assert.True(Math.Abs((double)ours[i] - after[i]) <= allowed, $"{name} step {k + 1}: p[{i}] {ours[i]:R} vs {after[i]:R}, allowed {allowed:E3}");
                torchSharpUlps = Math.Max(torchSharpUlps, UlpDistance(ours[i], after[i]));
            }

            // PyTorch's single-tensor Adam run on its own, for the drift report.
            replicaRun ??= before;
            replicaRunState ??= torchState;
            (float[] next, float[][] nextState, _) = SingleTensorAdam.Step(parity, replicaRun, gradients, replicaRunState, learningRate, Split);
            replicaRun = next;
            replicaRunState = TrainingState.Create(Shape, replicaRunState.Kind ?? parity.Options.Optimizer.StateKind, step, nextState);
        }, (own, torchFinal, ownState) =>
        {
            output.WriteLine($"{name}: libtorch's float sqrt misrounded {misroundedRoots} of {roots} roots; there, one step differs from PyTorch's " +
                $"single-tensor Adam by at most {replicaUlps} ulp (everywhere else 0); from TorchSharp's torch.optim by at most {torchSharpUlps} ulp; for example {example}");
            output.WriteLine($"{name}: after {Steps} uninterrupted steps, ours against PyTorch's single-tensor Adam: at most {MaxUlps(own, replicaRun!)} ulp, " +
                $"largest |difference| {MaxAbsoluteDifference(own, replicaRun!):E3}");
        });
    }

    [Fact]
    public void EverySchedulesRateEqualsTorchsBitForBitOver300Steps()
    {
        (string Name, LearningRateSchedule Ours, Func<optim.Optimizer, optim.lr_scheduler.LRScheduler> Torch)[] schedules =
        [
            ("StepLR(7, 0.7)", new StepDecaySchedule(7, 0.7), o => optim.lr_scheduler.StepLR(o, 7, 0.7)),
            // Three periods: down, back up through the special case at k − 1 = T, and down again.
            ("CosineAnnealingLR(50, 1e-4)", new CosineAnnealingSchedule(50, 1e-4), o => optim.lr_scheduler.CosineAnnealingLR(o, 50, 1e-4)),
            ("CosineAnnealingLR(1)", new CosineAnnealingSchedule(1), o => optim.lr_scheduler.CosineAnnealingLR(o, 1)),
            ("LinearLR(0.25, 1, 40)", new LinearSchedule(0.25, 1, 40), o => optim.lr_scheduler.LinearLR(o, 0.25, 1, 40)),
            ("LinearLR(1, 0.1, 30)", new LinearSchedule(1, 0.1, 30), o => optim.lr_scheduler.LinearLR(o, 1, 0.1, 30)),
        ];
        foreach (var (name, ours, torchSchedule) in schedules)
        {
            using var parameter = new Parameter(torch.zeros(3), requires_grad: true);
            using optim.Optimizer optimizer = optim.SGD([parameter], 0.1f);
            optim.lr_scheduler.LRScheduler scheduler = torchSchedule(optimizer);
            double initial = 0.1f, rate = ours.LearningRateAt(initial, 0);
            for (int k = 0; k < 300; k++)
            {
                if (k > 0) rate = ours.Next(rate, initial, k);
                double torchRate = optimizer.ParamGroups.First().LearningRate;
                Assert.True(BitConverter.DoubleToInt64Bits(rate) == BitConverter.DoubleToInt64Bits(torchRate), $"{name}: step {k}: {rate:R} vs torch {torchRate:R}");
                optimizer.step();
                scheduler.step();
            }
            output.WriteLine($"{name}: 300 rates equal torch's bit for bit (last {rate:R})");
        }
    }

    private delegate void StepCheck(int k, TrainingState torchState, float[] before, float[] gradients, float[] ours, TrainingState oursState,
        float[] after, TrainingState torchAfter, double learningRate);

    /// <summary>
    /// 100 steps of torch, each preceded by our step from torch's state (checked by <paramref name="check"/>), and our
    /// uninterrupted run beside it (<paramref name="finish"/> gets its parameters and torch's at the end).
    /// </summary>
    private void Run(string name, StepCheck check, Action<float[], float[], TrainingState> finish)
    {
        OptimizerParityCase parity = OptimizerParityCase.Named(name);
        torch.set_num_threads(1);
        float[] initial = ParameterInitialization.CreateUniform(Shape, seed: 5);
        Parameter[] torchParameters = [.. Split(initial).Select(values => new Parameter(torch.tensor(values), requires_grad: true))];
        using optim.Optimizer optimizer = parity.CreateOptimizer(torchParameters);
        optim.lr_scheduler.LRScheduler? scheduler = parity.CreateScheduler(optimizer);

        using var stepState = new OptimizerState(Shape);   // restored from torch before every step
        using var ownState = new OptimizerState(Shape);    // our uninterrupted run
        float[] own = [.. initial];
        var random = new Random(11);
        long worstParameter = 0, worstState = 0;
        for (int k = 0; k < Steps; k++)
        {
            float[] gradients = Gradients(random, k);
            float[] before = Join(torchParameters);
            TrainingState torchState = StateOf(optimizer, parity, k);

            stepState.Restore(torchState);
            stepState.RequireCompatible(parity.Options.Optimizer);
            stepState.Prepare(parity.Options);
            double learningRate = stepState.LearningRateOf(RnnParameter.Wxh);
            Assert.Equal(optimizer.ParamGroups.First().LearningRate, learningRate);
            float[] ours = [.. before];
            stepState.Apply(ours, gradients, KernelDispatch.Active);

            ownState.RequireCompatible(parity.Options.Optimizer);
            ownState.Prepare(parity.Options);
            ownState.Apply(own, gradients, KernelDispatch.Active);

            for (int t = 0; t < torchParameters.Length; t++) torchParameters[t].grad = torch.tensor(Split(gradients)[t]);
            optimizer.step();
            scheduler?.step();

            float[] after = Join(torchParameters);
            TrainingState torchAfter = StateOf(optimizer, parity, k + 1), oursAfter = stepState.Copy();
            worstParameter = Math.Max(worstParameter, MaxUlps(ours, after));
            for (int b = 0; b < TrainingState.BufferCount(oursAfter.Kind!.Value); b++)
            {
                worstState = Math.Max(worstState, MaxUlps(oursAfter.Buffer(b).ToArray(), torchAfter.Buffer(b).ToArray()));
            }
            check(k, torchState, before, gradients, ours, oursAfter, after, torchAfter, learningRate);
        }

        float[] final = Join(torchParameters);
        output.WriteLine($"{name}: one step from torch's state against torch.optim: at most {worstParameter} ulp in a parameter, {worstState} ulp in the state");
        output.WriteLine($"{name}: after {Steps} uninterrupted steps against torch.optim: at most {MaxUlps(own, final)} ulp, largest |ours − torch| " +
            $"{MaxAbsoluteDifference(own, final):E3} (largest |parameter| {final.Max(MathF.Abs):F3}); last learning rate {optimizer.ParamGroups.First().LearningRate:R}");
        finish(own, final, ownState.Copy());
    }

    private static TheoryData<string> CasesWhere(Func<OptimizerParityCase, bool> filter)
    {
        var data = new TheoryData<string>();
        foreach (OptimizerParityCase c in OptimizerParityCase.All.Where(filter)) data.Add(c.Name);
        return data;
    }

    /// <summary>Seeded gradients over several binades, so the moments see large and small values.</summary>
    private static float[] Gradients(Random random, int step)
    {
        var g = new float[Shape.ParameterCount];
        for (int i = 0; i < g.Length; i++) g[i] = (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-3, 1)) / (1 + step * 0.01));
        return g;
    }

    /// <summary>torch's optimizer state in our layout; <paramref name="steps"/> is the step count SGD does not keep.</summary>
    private static TrainingState StateOf(optim.Optimizer optimizer, OptimizerParityCase parity, long steps)
    {
        TrainingStateKind kind = parity.Options.Optimizer.StateKind;
        var states = ((OptimizerHelper)optimizer).state_dict().State;
        // torch lists the states group by group: with the biases in a group of their own, Wxh, Whh, Who, then bh, bo.
        int[] order = parity.Options.ParameterGroups.Count > 0 ? [0, 1, 3, 2, 4] : [0, 1, 2, 3, 4];
        var byTensor = new TorchSharp.Modules.OptimizerState[5];
        for (int i = 0; i < 5; i++) byTensor[order[i]] = states[i];
        int count = TrainingState.BufferCount(kind);
        var buffers = new float[count][];
        for (int b = 0; b < count; b++)
        {
            buffers[b] = Join(byTensor.Select(s => (s, b) switch
            {
                (SGD.State sgd, 0) => sgd.momentum_buffer,
                (Adam.State adam, 0) => adam.exp_avg,
                (Adam.State adam, 1) => adam.exp_avg_sq,
                (Adam.State adam, _) => adam.max_exp_avg_sq,
                (AdamW.State adamW, 0) => adamW.exp_avg,
                (AdamW.State adamW, 1) => adamW.exp_avg_sq,
                (AdamW.State adamW, _) => adamW.max_exp_avg_sq,
                _ => null,
            }));
        }
        long step = states[0] switch { Adam.State a => a.step, AdamW.State w => w.step, _ => steps };
        return TrainingState.Create(Shape, kind, step, buffers);
    }

    private static RnnParameter TensorOf(int index) =>
        index < Shape.WhhOffset ? RnnParameter.Wxh : index < Shape.BhOffset ? RnnParameter.Whh : index < Shape.WhoOffset ? RnnParameter.Bh
        : index < Shape.BoOffset ? RnnParameter.Who : RnnParameter.Bo;

    internal static float[][] Split(float[] flat) =>
    [
        flat[Shape.WxhOffset..(Shape.WxhOffset + Shape.WxhLength)], flat[Shape.WhhOffset..(Shape.WhhOffset + Shape.WhhLength)],
        flat[Shape.BhOffset..(Shape.BhOffset + Shape.BhLength)], flat[Shape.WhoOffset..(Shape.WhoOffset + Shape.WhoLength)],
        flat[Shape.BoOffset..(Shape.BoOffset + Shape.BoLength)],
    ];

    private static float[] Join(IEnumerable<Tensor?> tensors)
    {
        Tensor?[] list = [.. tensors];
        if (list.Any(t => t is null)) return new float[Shape.ParameterCount]; // SGD's buffer before the first step
        return [.. list.SelectMany(t => t!.data<float>().ToArray())];
    }

    private static double Gamma(int k) => k * Unit / (1 - k * Unit);

    /// <summary>The float ulp at |x|'s magnitude.</summary>
    private static double Ulp(double x) => Math.ScaleB(1.0, Math.Max(Math.ILogB(Math.Max(Math.Abs(x), 1.1754943508222875e-38)), -126) - 23);

    private static long MaxUlps(float[] a, float[] b)
    {
        long worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, UlpDistance(a[i], b[i]));
        return worst;
    }

    private static double MaxAbsoluteDifference(float[] a, float[] b)
    {
        double worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs((double)a[i] - b[i]));
        return worst;
    }

    private static long UlpDistance(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b)) return long.MaxValue;
        static long Ordered(float v) { int bits = BitConverter.SingleToInt32Bits(v); return bits < 0 ? -(long)(bits & 0x7FFF_FFFF) : bits; }
        return Math.Abs(Ordered(a) - Ordered(b));
    }
}
