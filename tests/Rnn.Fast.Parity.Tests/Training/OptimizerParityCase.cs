using Rnn.Fast.Interop;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rnn.Fast.Parity.Tests.Training;

/// <summary>
/// One optimizer configuration expressed twice: as our <see cref="TrainingOptions"/> and as TorchSharp's torch.optim
/// optimizer (and lr_scheduler) over five torch parameters that hold Wxh, Whh, bh, Who and bo, with the biases in a
/// group of their own where the configuration exempts them from weight decay.
/// </summary>
public sealed record OptimizerParityCase(string Name, TrainingOptions Options, Func<Parameter[], optim.Optimizer> CreateOptimizer,
    Func<optim.Optimizer, optim.lr_scheduler.LRScheduler?> CreateScheduler)
{
    /// <summary>Whether the case's optimizer is Adam or AdamW.</summary>
    public bool IsAdam => Options.Optimizer is not SgdOptimizer;

    /// <summary>The group that exempts the biases from weight decay.</summary>
    public static readonly ParameterGroup BiasesWithoutDecay = new(RnnParameter.Bh, RnnParameter.Bo) { WeightDecay = 0 };

    private static optim.lr_scheduler.LRScheduler? NoScheduler(optim.Optimizer optimizer) => null;

    private static Parameter[] Weights(Parameter[] p) => [p[0], p[1], p[3]];

    private static Parameter[] Biases(Parameter[] p) => [p[2], p[4]];

    /// <summary>Every configuration the parity tests run.</summary>
    public static IReadOnlyList<OptimizerParityCase> All { get; } =
    [
        new("sgd", new TrainingOptions(0.05f), p => optim.SGD(p, 0.05f), NoScheduler),
        new("sgd-momentum-dampening-decay-steplr",
            new TrainingOptions(0.05f) { Optimizer = new SgdOptimizer { Momentum = 0.9, Dampening = 0.1, WeightDecay = 1e-3 },
                ParameterGroups = [BiasesWithoutDecay], Schedule = new StepDecaySchedule(10, 0.5) },
            p => optim.SGD(new SGD.ParamGroup[] { new(Weights(p), new SGD.Options()), new(Biases(p), new SGD.Options { weight_decay = 0 }) },
                0.05f, momentum: 0.9, dampening: 0.1, weight_decay: 1e-3),
            o => optim.lr_scheduler.StepLR(o, 10, 0.5)),
        new("sgd-nesterov-decay",
            new TrainingOptions(0.02f) { Optimizer = new SgdOptimizer { Momentum = 0.9, Nesterov = true, WeightDecay = 1e-4 } },
            p => optim.SGD(p, 0.02f, momentum: 0.9, weight_decay: 1e-4, nesterov: true), NoScheduler),
        new("adam", new TrainingOptions(1e-3f) { Optimizer = new AdamOptimizer() }, p => optim.Adam(p, 1e-3f), NoScheduler),
        new("adam-amsgrad-decay-linearlr",
            new TrainingOptions(2e-3f) { Optimizer = new AdamOptimizer { Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6, WeightDecay = 1e-2, AmsGrad = true },
                Schedule = new LinearSchedule(0.1, 1, 20) },
            p => optim.Adam(p, 2e-3f, beta1: 0.8, beta2: 0.99, eps: 1e-6, weight_decay: 1e-2, amsgrad: true),
            o => optim.lr_scheduler.LinearLR(o, start_factor: 0.1, end_factor: 1, total_iters: 20)),
        new("adamw-cosine",
            new TrainingOptions(1e-3f) { Optimizer = new AdamWOptimizer { WeightDecay = 0.01 }, ParameterGroups = [BiasesWithoutDecay],
                Schedule = new CosineAnnealingSchedule(100, 1e-5) },
            p => optim.AdamW(new AdamW.ParamGroup[] { new(Weights(p), new AdamW.Options()), new(Biases(p), new AdamW.Options { weight_decay = 0 }) },
                1e-3f, weight_decay: 0.01),
            o => optim.lr_scheduler.CosineAnnealingLR(o, 100, 1e-5)),
        new("adamw-amsgrad", new TrainingOptions(3e-3f) { Optimizer = new AdamWOptimizer { WeightDecay = 0.05, AmsGrad = true } },
            p => optim.AdamW(p, 3e-3f, weight_decay: 0.05, amsgrad: true), NoScheduler),
    ];

    /// <summary>The case named <paramref name="name"/>.</summary>
    public static OptimizerParityCase Named(string name) => All.Single(c => c.Name == name);
}
