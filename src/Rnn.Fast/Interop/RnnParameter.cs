namespace Rnn.Fast.Interop;

/// <summary>The parts of an <see cref="RnnModel"/>'s parameter buffer (see <see cref="RnnShape"/>'s layout).</summary>
public enum RnnParameter
{
    /// <summary>Wxh, d×h: PyTorch's <c>weight_ih_l0</c> [h, d] transposed.</summary>
    Wxh,

    /// <summary>Whh, h×h: PyTorch's <c>weight_hh_l0</c> [h, h] transposed.</summary>
    Whh,

    /// <summary>bh, h: PyTorch's <c>bias_ih_l0 + bias_hh_l0</c>.</summary>
    Bh,

    /// <summary>Who, h×o: the <c>nn.Linear</c> head's <c>weight</c> [o, h] transposed.</summary>
    Who,

    /// <summary>bo, o: the head's <c>bias</c> [o].</summary>
    Bo,
}
