namespace Rnn.Fast;

/// <summary>
/// The training losses, shared by the reference and the fast engine. Both are mean squared errors with PyTorch's
/// <c>reduction='mean'</c>: the sum of squared differences divided by the number of target elements.
/// </summary>
public enum LossKind
{
    /// <summary>
    /// Mean squared error of the last output only: <c>L = (1/(n·o)) Σ_b Σ_k (O_T[b,k] − Y[b,k])²</c>.
    /// Targets hold n·o values (<c>[n][o]</c>, row-major); outputs of earlier steps do not enter the loss.
    /// Its gradient is <c>∂L/∂O_T = (2/(n·o))·(O_T − Y)</c>.
    /// </summary>
    LastOutputMeanSquaredError = 0,

    /// <summary>
    /// Mean squared error over every step's output: <c>L = (1/(T·n·o)) Σ_t Σ_b Σ_k (O_t[b,k] − Y_t[b,k])²</c>.
    /// Targets hold T·n·o values, time-major (<c>[T][n][o]</c>) like the outputs.
    /// Its gradient is <c>∂L/∂O_t = (2/(T·n·o))·(O_t − Y_t)</c> for every t.
    /// </summary>
    AllOutputsMeanSquaredError = 1,
}
