using System.Globalization;
using Rnn.Fast.Interop;

namespace Rnn.Fast.Cli.Train;

/// <summary>
/// The one place that turns <see cref="TrainOptions"/> into the step the training loop runs: the engine's step with
/// the chosen optimizer, its hyper-parameters, weight decay on the weights only (the biases form a group without it,
/// as PyTorch recipes usually have it), clipping and the guard.
/// </summary>
public static class TrainingStepFactory
{
    /// <summary>Builds the training step for <paramref name="model"/>.</summary>
    /// <param name="options">The training options.</param>
    /// <param name="model">The model it updates.</param>
    /// <exception cref="UsageException">A hyper-parameter is out of its range (the message names it and its value).</exception>
    public static ITrainingStep Create(TrainOptions options, RnnModel model)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(model);
        TrainingOptions engineOptions = EngineOptions(options);
        return new EngineTrainingStep(model, engineOptions, options.Loss, options.WindowLength, Describe(options));
    }

    /// <summary>The engine's options for <paramref name="options"/>.</summary>
    /// <exception cref="UsageException">A hyper-parameter is out of its range.</exception>
    public static TrainingOptions EngineOptions(TrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            double decay = options.EffectiveWeightDecay;
            Optimizer optimizer = options.Optimizer switch
            {
                CliOptimizer.Momentum => new SgdOptimizer { Momentum = options.Momentum, Dampening = options.Dampening, Nesterov = options.Nesterov, WeightDecay = decay },
                CliOptimizer.Adam => new AdamOptimizer { Beta1 = options.Beta1, Beta2 = options.Beta2, Epsilon = options.Epsilon, WeightDecay = decay, AmsGrad = options.AmsGrad },
                CliOptimizer.AdamW => new AdamWOptimizer { Beta1 = options.Beta1, Beta2 = options.Beta2, Epsilon = options.Epsilon, WeightDecay = decay, AmsGrad = options.AmsGrad },
                _ => new SgdOptimizer { WeightDecay = decay },
            };
            return new TrainingOptions((float)options.LearningRate)
            {
                Optimizer = optimizer,
                ParameterGroups = decay != 0 ? [new ParameterGroup(RnnParameter.Bh, RnnParameter.Bo) { WeightDecay = 0 }] : [],
                MaxGradientNorm = options.MaxGradientNorm is double norm ? (float)norm : null,
                GuardNonFinite = true,
            };
        }
        catch (ArgumentException error)
        {
            throw new UsageException(OptionMessage(error.Message));
        }
    }

    /// <summary>The optimizer's word, as <c>--optimizer</c> takes it.</summary>
    public static string OptimizerWord(CliOptimizer optimizer) => optimizer switch
    {
        CliOptimizer.Momentum => "momentum",
        CliOptimizer.Adam => "adam",
        CliOptimizer.AdamW => "adamw",
        _ => "sgd",
    };

    /// <summary>The optimizer's hyper-parameters in words, for the report and the model file's metadata.</summary>
    public static string Describe(TrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        CultureInfo invariant = CultureInfo.InvariantCulture;
        double decay = options.EffectiveWeightDecay;
        string decayText = decay != 0 ? string.Create(invariant, $", weight decay {decay} on the weights") : "";
        string rule = options.Optimizer switch
        {
            CliOptimizer.Momentum => string.Create(invariant,
                $"SGD with {(options.Nesterov ? "Nesterov " : "")}momentum {options.Momentum}{(options.Dampening != 0 ? $", dampening {options.Dampening}" : "")}{decayText}"),
            CliOptimizer.Adam or CliOptimizer.AdamW => string.Create(invariant,
                $"{(options.Optimizer == CliOptimizer.Adam ? "Adam" : "AdamW")}{(options.AmsGrad ? " (AMSGrad)" : "")}, β1 {options.Beta1}, β2 {options.Beta2}, ε {options.Epsilon}{decayText}"),
            _ => "SGD" + decayText,
        };
        return string.Create(invariant,
            $"{rule}, learning rate {(float)options.LearningRate}, {(options.MaxGradientNorm is double norm ? $"gradient norm clipped at {(float)norm}" : "no clipping")}");
    }

    // The engine names its properties (Beta1, WeightDecay); the command line has their options (--beta1, --weight-decay).
    private static string OptionMessage(string message) =>
        message.Replace("Beta1", "--beta1", StringComparison.Ordinal).Replace("Beta2", "--beta2", StringComparison.Ordinal)
            .Replace("Epsilon", "--epsilon", StringComparison.Ordinal).Replace("WeightDecay", "--weight-decay", StringComparison.Ordinal)
            .Replace("Momentum", "--momentum", StringComparison.Ordinal).Replace("Dampening", "--dampening", StringComparison.Ordinal)
            .Replace("Nesterov momentum", "--nesterov", StringComparison.Ordinal).Split(" (Parameter")[0].TrimEnd('.');
}
