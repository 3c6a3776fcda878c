namespace Rnn.Fast.Interop;

/// <summary>
/// What an import from a PyTorch state_dict may be told rather than find out: the module prefixes of the
/// <c>nn.RNN</c> and the <c>nn.Linear</c> head, and the RNN's nonlinearity. Immutable.
/// </summary>
/// <example>
/// <code>
/// var options = new PyTorchImportOptions { RnnPrefix = "encoder.", HeadPrefix = "head." };
/// PyTorchImport import = PyTorchSafetensors.Load("model.safetensors", options);
/// </code>
/// </example>
public sealed record PyTorchImportOptions
{
    private readonly string? _rnnPrefix;
    private readonly string? _headPrefix;
    private readonly RnnNonlinearity? _nonlinearity;

    /// <summary>
    /// The prefix of the RNN's keys: <c>"rnn."</c> for <c>rnn.weight_ih_l0</c>, <c>"module.rnn."</c> under
    /// <c>nn.DataParallel</c>, <c>""</c> for an <c>nn.RNN</c> saved on its own. Null (the default): found from the
    /// file, which must then hold exactly one key that ends in <c>weight_ih_l0</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Set to a prefix that is neither empty nor ends with '.'.</exception>
    public string? RnnPrefix
    {
        get => _rnnPrefix;
        init => _rnnPrefix = ModulePrefix.Check(value, nameof(RnnPrefix));
    }

    /// <summary>
    /// The prefix of the head's keys: <c>"fc."</c> for <c>fc.weight</c> and <c>fc.bias</c>, <c>""</c> for an
    /// <c>nn.Linear</c> saved on its own. Null (the default): found from the file, which must then hold exactly one
    /// rank-2 <c>weight</c> outside the RNN whose columns match the RNN's hidden size.
    /// </summary>
    /// <exception cref="ArgumentException">Set to a prefix that is neither empty nor ends with '.'.</exception>
    public string? HeadPrefix
    {
        get => _headPrefix;
        init => _headPrefix = ModulePrefix.Check(value, nameof(HeadPrefix));
    }

    /// <summary>
    /// The RNN's nonlinearity, which a state_dict does not record. Null (the default): what the file's metadata
    /// says when it was saved by <see cref="PyTorchSafetensors"/>, else tanh. <see cref="RnnNonlinearity.Relu"/>
    /// makes every load throw <see cref="NotSupportedException"/>: Rnn.Fast runs tanh only.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a value that is not a defined <see cref="RnnNonlinearity"/>.</exception>
    public RnnNonlinearity? Nonlinearity
    {
        get => _nonlinearity;
        init
        {
            if (value is RnnNonlinearity given && !Enum.IsDefined(given))
            {
                throw new ArgumentOutOfRangeException(nameof(Nonlinearity), given, "Not a defined RnnNonlinearity.");
            }

            _nonlinearity = value;
        }
    }
}
