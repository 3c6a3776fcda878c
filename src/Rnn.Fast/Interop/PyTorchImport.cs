using System.Globalization;
using System.Text;

namespace Rnn.Fast.Interop;

/// <summary>
/// The result of importing a PyTorch state_dict: the <see cref="Model"/>, and what the import found — the shape,
/// the prefixes (given or found), the nonlinearity and how it was known, every tensor used with its dtype and
/// where it went, and the tensors left alone. <see cref="Describe"/> puts it all in a few lines for a person.
/// </summary>
public sealed class PyTorchImport
{
    internal PyTorchImport(RnnModel model, string rnnPrefix, bool rnnPrefixFound, string headPrefix, bool headPrefixFound,
        NonlinearitySource nonlinearitySource, IReadOnlyList<ImportedTensor> tensors, IReadOnlyList<SafetensorsTensorInfo> ignoredTensors,
        IReadOnlyDictionary<string, string> metadata)
    {
        Model = model;
        RnnPrefix = rnnPrefix;
        RnnPrefixFound = rnnPrefixFound;
        HeadPrefix = headPrefix;
        HeadPrefixFound = headPrefixFound;
        NonlinearitySource = nonlinearitySource;
        Tensors = tensors;
        IgnoredTensors = ignoredTensors;
        Metadata = metadata;
    }

    /// <summary>The imported model: a new <see cref="RnnModel"/> that runs tanh, with the file's values in float32.</summary>
    public RnnModel Model { get; }

    /// <summary>d, h and o, from the tensors' shapes.</summary>
    public RnnShape Shape => Model.Shape;

    /// <summary>The prefix of the RNN's keys, e.g. <c>rnn.</c> (empty for an nn.RNN saved on its own).</summary>
    public string RnnPrefix { get; }

    /// <summary>True when the import found <see cref="RnnPrefix"/> in the file; false when the caller gave it.</summary>
    public bool RnnPrefixFound { get; }

    /// <summary>The prefix of the head's keys, e.g. <c>fc.</c> (empty for an nn.Linear saved on its own).</summary>
    public string HeadPrefix { get; }

    /// <summary>True when the import found <see cref="HeadPrefix"/> in the file; false when the caller gave it.</summary>
    public bool HeadPrefixFound { get; }

    /// <summary>The RNN's nonlinearity: always <see cref="RnnNonlinearity.Tanh"/>, the only one an import accepts.</summary>
    public RnnNonlinearity Nonlinearity => RnnNonlinearity.Tanh;

    /// <summary>How the import knew the nonlinearity (a state_dict alone does not record it).</summary>
    public NonlinearitySource NonlinearitySource { get; }

    /// <summary>Whether the file had the RNN's biases; without them (<c>nn.RNN(bias=False)</c>) bh is zero.</summary>
    public bool HasRecurrentBias => Tensors.Any(t => t.Target == RnnParameter.Bh);

    /// <summary>Whether the file had the head's bias; without it (<c>nn.Linear(bias=False)</c>) bo is zero.</summary>
    public bool HasOutputBias => Tensors.Any(t => t.Target == RnnParameter.Bo);

    /// <summary>
    /// Every tensor the import used, in the order of the parameter buffer: weight_ih_l0 → Wxh, weight_hh_l0 → Whh,
    /// bias_ih_l0 and bias_hh_l0 → bh (their sum), the head's weight → Who and bias → bo.
    /// </summary>
    public IReadOnlyList<ImportedTensor> Tensors { get; }

    /// <summary>
    /// The tensors that belong to neither the RNN nor the head (other modules' parameters and buffers, such as a
    /// normalisation's running mean): listed here, never read.
    /// </summary>
    public IReadOnlyList<SafetensorsTensorInfo> IgnoredTensors { get; }

    /// <summary>The <c>__metadata__</c> strings of the file that holds the RNN (empty when it has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// What the import found, a few lines for a person: the shape, the prefixes, the nonlinearity, one line per
    /// tensor used (dtype, shape, where it went, how it was converted) and the tensors left alone.
    /// </summary>
    public string Describe()
    {
        var text = new StringBuilder();
        RnnShape s = Shape;
        text.Append(CultureInfo.InvariantCulture, $"shape: d={s.InputSize}, h={s.HiddenSize}, o={s.OutputSize} ({s.ParameterCount:N0} parameters)").AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"nn.RNN: {ModulePrefix.Show(RnnPrefix)} ({(RnnPrefixFound ? "found" : "given")}); nn.Linear head: {ModulePrefix.Show(HeadPrefix)} ({(HeadPrefixFound ? "found" : "given")})").AppendLine();
        string source = NonlinearitySource switch
        {
            NonlinearitySource.Caller => "given by the caller",
            NonlinearitySource.FileMetadata => "from the file's metadata",
            _ => "assumed: PyTorch's default, which a state_dict does not record",
        };
        text.Append(CultureInfo.InvariantCulture, $"nonlinearity: tanh ({source})").AppendLine();
        int width = Tensors.Max(t => t.Tensor.ToString().Length);
        foreach (ImportedTensor tensor in Tensors)
        {
            string target = tensor.Target == RnnParameter.Bh ? "Bh (bias_ih_l0 + bias_hh_l0)" : tensor.Target.ToString();
            text.Append("  ").Append(tensor.Tensor.ToString().PadRight(width)).Append(" → ").Append(target)
                .Append(tensor.Transposed ? ", transposed" : "").Append(", ").Append(tensor.Conversion).AppendLine();
        }

        if (!HasRecurrentBias) text.AppendLine("  (no RNN biases: bh is zero, as nn.RNN(bias=False))");
        if (!HasOutputBias) text.AppendLine("  (no head bias: bo is zero, as nn.Linear(bias=False))");
        text.Append(IgnoredTensors.Count == 0
            ? "ignored: none"
            : $"ignored (neither the RNN's nor the head's): {string.Join(", ", IgnoredTensors)}").AppendLine();
        return text.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => Describe();
}
