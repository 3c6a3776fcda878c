namespace Rnn.Fast;

/// <summary>Which optimizer a <see cref="TrainingState"/> belongs to, and so which buffers it holds.</summary>
public enum TrainingStateKind
{
    /// <summary>Plain SGD (<see cref="SgdOptimizer"/> without momentum): a step count, no buffer.</summary>
    Sgd,

    /// <summary><see cref="SgdOptimizer"/> with momentum: the momentum buffer.</summary>
    SgdMomentum,

    /// <summary><see cref="AdamOptimizer"/>: the first and second moments.</summary>
    Adam,

    /// <summary><see cref="AdamOptimizer"/> with AMSGrad: the moments and the running maximum of the second.</summary>
    AdamAmsGrad,

    /// <summary><see cref="AdamWOptimizer"/>: the first and second moments.</summary>
    AdamW,

    /// <summary><see cref="AdamWOptimizer"/> with AMSGrad: the moments and the running maximum of the second.</summary>
    AdamWAmsGrad,
}
