using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rnn.Fast.Parity.Tests.Interop;

/// <summary>
/// The PyTorch model users train, in TorchSharp: <c>self.rnn = nn.RNN(d, h, nonlinearity='tanh')</c> (time-major)
/// and <c>self.fc = nn.Linear(h, o)</c> on every step, so its state_dict has the keys <c>rnn.weight_ih_l0</c> …
/// <c>fc.bias</c>, as a Python <c>Net</c> would. Its weights are libtorch's own initialisation (both hidden biases
/// nonzero), drawn after <c>torch.manual_seed</c>.
/// </summary>
internal sealed class TorchNet : nn.Module<Tensor, Tensor>
{
    // The field names are the state_dict's module names (RegisterComponents takes them).
#pragma warning disable IDE1006
    private readonly RNN rnn;
    private readonly Linear fc;
#pragma warning restore IDE1006

    public TorchNet(int d, int h, int o, ScalarType type)
        : base("Net")
    {
        rnn = nn.RNN(d, h, numLayers: 1, nonLinearity: nn.NonLinearities.Tanh, bias: true, batchFirst: false, dtype: type);
        fc = nn.Linear(h, o, hasBias: true, dtype: type);
        RegisterComponents();
    }

    /// <summary>The recurrence, for its parameters and gradients.</summary>
    public RNN Recurrence => rnn;

    /// <summary>The head.</summary>
    public Linear Head => fc;

    /// <summary>Every step's output [T, n, o] from X [T, n, d] and a zero H_0.</summary>
    public override Tensor forward(Tensor input)
    {
        (Tensor states, _) = rnn.call(input, null);
        return fc.call(states);
    }

    /// <summary>Every step's hidden state [T, n, h].</summary>
    public Tensor HiddenStates(Tensor input) => rnn.call(input, null).Item1;
}
