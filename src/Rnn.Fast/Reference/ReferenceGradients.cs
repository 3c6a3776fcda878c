namespace Rnn.Fast.Reference;

/// <summary>
/// The gradients of a loss with respect to everything a forward pass depended on: the parameters, the initial
/// hidden state H_0 and the inputs X. Immutable and thread-safe.
/// </summary>
public sealed class ReferenceGradients
{
    private readonly double[] _parameters;
    private readonly double[] _initialHidden;
    private readonly double[] _inputs;

    internal ReferenceGradients(double[] parameters, double[] initialHidden, double[] inputs)
    {
        _parameters = parameters;
        _initialHidden = initialHidden;
        _inputs = inputs;
    }

    /// <summary>∂L/∂Wxh, ∂L/∂Whh, ∂L/∂bh, ∂L/∂Who, ∂L/∂bo in one buffer with <see cref="RnnShape"/>'s layout.</summary>
    public ReadOnlySpan<double> Parameters => _parameters;

    /// <summary>∂L/∂H_0, n·h values (also when the forward pass started from zeros).</summary>
    public ReadOnlySpan<double> InitialHidden => _initialHidden;

    /// <summary>∂L/∂X, T·n·d values, time-major like the inputs.</summary>
    public ReadOnlySpan<double> Inputs => _inputs;
}
