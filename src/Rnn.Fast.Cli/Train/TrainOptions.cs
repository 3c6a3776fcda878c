namespace Rnn.Fast.Cli.Train;

/// <summary>
/// Everything <c>rnn train</c> is asked to do: the data, the windows, the network, the optimization and the files
/// to write. One record, so that options added later (an optimizer, resuming from a model file) are one property
/// each here and one case in <see cref="TrainingStepFactory"/>.
/// </summary>
public sealed record TrainOptions
{
    /// <summary>The largest hidden size accepted.</summary>
    public const int MaxHiddenSize = 4096;

    /// <summary>The longest window accepted.</summary>
    public const int MaxWindowLength = 10_000;

    /// <summary>The most epochs accepted, so a typo cannot start an hours-long run.</summary>
    public const int MaxEpochs = 1_000_000;

    /// <summary>The largest batch accepted.</summary>
    public const int MaxBatchSize = 65_536;

    /// <summary>The time-series CSV file.</summary>
    public required string DataPath { get; init; }

    /// <summary>The column to predict, one row ahead.</summary>
    public required string TargetColumn { get; init; }

    /// <summary>The input columns, or null for every column of the file.</summary>
    public IReadOnlyList<string>? FeatureColumns { get; init; }

    /// <summary>The model file to write; the plot and the CSV reports are written beside it.</summary>
    public required string OutputPath { get; init; }

    /// <summary>T: the rows of inputs each training window holds.</summary>
    public int WindowLength { get; init; } = 14;

    /// <summary>The share of rows, at the end of the series, held out for validation.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>h, the hidden units.</summary>
    public int HiddenSize { get; init; } = 32;

    /// <summary>Windows per training step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Passes over the training windows.</summary>
    public int Epochs { get; init; } = 40;

    /// <summary>The gradient-descent step size.</summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>The largest global gradient norm before clipping (null: no clipping).</summary>
    public double? MaxGradientNorm { get; init; } = 1;

    /// <summary>Seeds the initial parameters and the order of the windows in each epoch.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The loss: of the last output of each window, or of every step's output.</summary>
    public LossKind Loss { get; init; } = LossKind.LastOutputMeanSquaredError;

    /// <summary>Whether to draw the PNG plot (the CSV reports are always written).</summary>
    public bool DrawPlot { get; init; } = true;

    /// <summary>The optimizer: plain SGD (the default), SGD with momentum, Adam or AdamW.</summary>
    public CliOptimizer Optimizer { get; init; } = CliOptimizer.Sgd;

    /// <summary>The momentum factor of <see cref="CliOptimizer.Momentum"/>.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>The dampening of the momentum.</summary>
    public double Dampening { get; init; }

    /// <summary>Nesterov momentum.</summary>
    public bool Nesterov { get; init; }

    /// <summary>The weight decay of the weights (the biases get none); null for the optimizer's default (0.01 for AdamW, 0 otherwise).</summary>
    public double? WeightDecay { get; init; }

    /// <summary>Adam's β1.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam's β2.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Adam's ε.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>The AMSGrad variant of Adam and AdamW.</summary>
    public bool AmsGrad { get; init; }

    /// <summary>A model file an earlier run of the same training wrote: training continues from its parameters,
    /// optimizer state and data order up to <see cref="Epochs"/> epochs in all; null to start anew.</summary>
    public string? ResumePath { get; init; }

    /// <summary>The weight decay that applies: <see cref="WeightDecay"/>, or the optimizer's default.</summary>
    public double EffectiveWeightDecay => WeightDecay ?? (Optimizer == CliOptimizer.AdamW ? 0.01 : 0);
}

/// <summary>The optimizers <c>rnn train --optimizer</c> offers.</summary>
public enum CliOptimizer
{
    /// <summary>Plain stochastic gradient descent.</summary>
    Sgd,

    /// <summary>SGD with momentum (and optional dampening, Nesterov and weight decay).</summary>
    Momentum,

    /// <summary>Adam (weight decay as an L2 term of the gradient).</summary>
    Adam,

    /// <summary>AdamW (decoupled weight decay).</summary>
    AdamW,
}
