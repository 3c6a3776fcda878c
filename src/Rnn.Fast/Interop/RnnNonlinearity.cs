namespace Rnn.Fast.Interop;

/// <summary>
/// The nonlinearity of a PyTorch <c>nn.RNN</c> (its <c>nonlinearity</c> argument). A state_dict does not record it:
/// a ReLU RNN's tensors have the same names and shapes as a tanh RNN's.
/// </summary>
public enum RnnNonlinearity
{
    /// <summary><c>nonlinearity='tanh'</c>, PyTorch's default and the only one Rnn.Fast runs.</summary>
    Tanh,

    /// <summary><c>nonlinearity='relu'</c>: not supported (importing such a model throws <see cref="NotSupportedException"/>).</summary>
    Relu,
}
