namespace Rnn.Fast.Interop;

/// <summary>
/// The key prefixes <see cref="PyTorchSafetensors.Save(RnnModel, string, PyTorchExportOptions?)"/> writes, so the
/// file matches the attribute names of the PyTorch module that will load it. Immutable.
/// </summary>
/// <example>
/// For <c>self.encoder = nn.RNN(...)</c> and <c>self.head = nn.Linear(...)</c>:
/// <code>
/// PyTorchSafetensors.Save(model, "model.safetensors", new PyTorchExportOptions { RnnPrefix = "encoder.", HeadPrefix = "head." });
/// </code>
/// </example>
public sealed record PyTorchExportOptions
{
    private readonly string _rnnPrefix = "rnn.";
    private readonly string _headPrefix = "fc.";

    /// <summary>The prefix of the RNN's keys; <c>"rnn."</c> by default. Empty or ending with '.'.</summary>
    /// <exception cref="ArgumentNullException">Set to null.</exception>
    /// <exception cref="ArgumentException">Set to a prefix that is neither empty nor ends with '.'.</exception>
    public string RnnPrefix
    {
        get => _rnnPrefix;
        init => _rnnPrefix = ModulePrefix.Check(value ?? throw new ArgumentNullException(nameof(RnnPrefix)), nameof(RnnPrefix))!;
    }

    /// <summary>The prefix of the head's keys; <c>"fc."</c> by default. Empty or ending with '.'.</summary>
    /// <exception cref="ArgumentNullException">Set to null.</exception>
    /// <exception cref="ArgumentException">Set to a prefix that is neither empty nor ends with '.'.</exception>
    public string HeadPrefix
    {
        get => _headPrefix;
        init => _headPrefix = ModulePrefix.Check(value ?? throw new ArgumentNullException(nameof(HeadPrefix)), nameof(HeadPrefix))!;
    }
}
