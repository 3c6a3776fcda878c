using System.Globalization;
using System.Text.RegularExpressions;

namespace Rnn.Fast.Interop;

/// <summary>
/// Which tensors of one or two safetensors headers are the <c>nn.RNN</c>'s and the <c>nn.Linear</c> head's, the
/// shape they give, and what is left over; decided from the headers alone, before any tensor data is read.
/// </summary>
/// <remarks>
/// <para>The RNN's keys: with a non-empty prefix P, every key that starts with P; with an empty prefix (an
/// <c>nn.RNN</c> saved on its own), the keys without a '.' that look like nn.RNN parameters
/// (<c>weight_ih_l0</c>, <c>bias_hh_l1_reverse</c>, …). Among them exactly <c>weight_ih_l0</c> and
/// <c>weight_hh_l0</c>, and either both or neither of <c>bias_ih_l0</c> and <c>bias_hh_l0</c>, must appear;
/// any other is an error that names it. The head's keys: with a non-empty prefix Q, every key that starts with Q and
/// is not the RNN's; with an empty prefix, just <c>weight</c> and <c>bias</c>. Among them <c>weight</c> must
/// appear and <c>bias</c> may; any other is an error. Every key that is neither the RNN's nor the head's belongs to
/// some other module or buffer and is left alone (listed in <see cref="Ignored"/>, never read).</para>
/// <para>Finding the prefixes: the RNN's is P for every key P + <c>weight_ih_l0</c> (P empty or ending with '.');
/// the head's is Q for every key Q + <c>weight</c> (Q empty or ending with '.') that is not the RNN's, is rank 2
/// with h columns, and whose Q does not start with P or the other way round (both modules are leaves). Exactly one
/// candidate must remain, else the error lists them all.</para>
/// </remarks>
internal sealed partial class PyTorchStateDictMapping
{
    public const string WeightInputHidden = "weight_ih_l0";
    public const string WeightHiddenHidden = "weight_hh_l0";
    public const string BiasInputHidden = "bias_ih_l0";
    public const string BiasHiddenHidden = "bias_hh_l0";
    public const string HeadWeight = "weight";
    public const string HeadBias = "bias";

    /// <summary>Our metadata keys: what <see cref="PyTorchSafetensors"/> writes and reads back.</summary>
    public const string NonlinearityKey = "rnn_fast.nonlinearity";
    public const string InputSizeKey = "rnn_fast.input_size";
    public const string HiddenSizeKey = "rnn_fast.hidden_size";
    public const string OutputSizeKey = "rnn_fast.output_size";

    private const int ListedKeys = 12;

    private PyTorchStateDictMapping()
    {
    }

    public required RnnShape Shape { get; init; }
    public required string RnnPrefix { get; init; }
    public required bool RnnPrefixFound { get; init; }
    public required string HeadPrefix { get; init; }
    public required bool HeadPrefixFound { get; init; }
    public required SafetensorsEntry InputWeights { get; init; }
    public required SafetensorsEntry RecurrentWeights { get; init; }
    public required SafetensorsEntry? InputBias { get; init; }
    public required SafetensorsEntry? RecurrentBias { get; init; }
    public required SafetensorsEntry OutputWeights { get; init; }
    public required SafetensorsEntry? OutputBias { get; init; }
    public required NonlinearitySource NonlinearitySource { get; init; }

    /// <summary>Tensors of the RNN's file (and, for one file, the head's) that belong to neither module.</summary>
    public required IReadOnlyList<SafetensorsEntry> Ignored { get; init; }

    /// <summary>Tensors of a separate head file that are not the head's.</summary>
    public required IReadOnlyList<SafetensorsEntry> IgnoredInHeadFile { get; init; }

    /// <summary>The tensors to read from the RNN's file.</summary>
    public HashSet<string> RnnFileTensors(bool headInSameFile)
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { InputWeights.Name, RecurrentWeights.Name };
        if (InputBias is not null) names.Add(InputBias.Name);
        if (RecurrentBias is not null) names.Add(RecurrentBias.Name);
        if (headInSameFile) AddHead(names);
        return names;
    }

    /// <summary>The tensors to read from a separate head file.</summary>
    public HashSet<string> HeadFileTensors()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        AddHead(names);
        return names;
    }

    /// <summary>Decides the mapping (see the remarks), or throws naming the file, the tensor and what was expected.</summary>
    /// <param name="rnnFile">The header of the file that holds the RNN.</param>
    /// <param name="rnnPath">Its path, for messages; null for a stream.</param>
    /// <param name="headFile">The header of a separate head file, or null when the head is in <paramref name="rnnFile"/>.</param>
    /// <param name="headPath">Its path, for messages.</param>
    /// <param name="options">The caller's prefixes and nonlinearity.</param>
    /// <exception cref="InvalidModelFileException">The tensors do not form a supported model.</exception>
    /// <exception cref="NotSupportedException">The file's metadata says the RNN is a ReLU RNN.</exception>
    public static PyTorchStateDictMapping Resolve(SafetensorsHeader rnnFile, string? rnnPath, SafetensorsHeader? headFile, string? headPath, PyTorchImportOptions options)
    {
        bool sameFile = headFile is null;
        SafetensorsHeader headHeader = headFile ?? rnnFile;
        string? headFilePath = sameFile ? rnnPath : headPath;

        // The RNN.
        string rnnPrefix = options.RnnPrefix ?? FindRnnPrefix(rnnFile, rnnPath);
        bool rnnPrefixFound = options.RnnPrefix is null;
        SafetensorsEntry inputWeights = Require(rnnFile, rnnPrefix + WeightInputHidden, rnnPath,
            () => RnnPrefixHint(rnnFile, rnnPrefix));
        var rnnKeys = rnnFile.Entries.Where(e => IsRnnKey(e.Name, rnnPrefix)).ToList();
        string[] unexpected = rnnKeys.Select(e => e.Name[rnnPrefix.Length..])
            .Where(n => n is not (WeightInputHidden or WeightHiddenHidden or BiasInputHidden or BiasHiddenHidden))
            .Select(n => rnnPrefix + n).ToArray();
        if (unexpected.Length > 0)
        {
            throw SafetensorsErrors.Invalid(rnnPath, $"unexpected tensor: {List(unexpected)} {(unexpected.Length == 1 ? "is" : "are")} under the RNN's prefix {ModulePrefix.Show(rnnPrefix)} but not parameters of a one-layer, one-direction nn.RNN, which has only weight_ih_l0, weight_hh_l0, bias_ih_l0 and bias_hh_l0{UnsupportedRnnHint(unexpected)}.");
        }

        SafetensorsEntry recurrentWeights = Require(rnnFile, rnnPrefix + WeightHiddenHidden, rnnPath, () => "");
        RequireConvertible(inputWeights, rnnPath);
        RequireConvertible(recurrentWeights, rnnPath);
        if (inputWeights.Shape.Length != 2 || inputWeights.Shape[0] < 1 || inputWeights.Shape[1] < 1)
        {
            throw SafetensorsErrors.Invalid(rnnPath, $"wrong shape: tensor '{inputWeights.Name}' is {inputWeights.ShapeText}; nn.RNN's weight_ih_l0 is [h, d] with h and d at least 1.");
        }

        long h = inputWeights.Shape[0], d = inputWeights.Shape[1];
        if (recurrentWeights.Shape is not [var rows, var columns] || rows != h || columns != h)
        {
            throw SafetensorsErrors.Invalid(rnnPath, $"wrong shape: tensor '{recurrentWeights.Name}' is {recurrentWeights.ShapeText}; nn.RNN's weight_hh_l0 is [h, h] = [{h}, {h}] (h = {h} from '{inputWeights.Name}' {inputWeights.ShapeText}){OtherCellHint(recurrentWeights)}.");
        }

        SafetensorsEntry? inputBias = Optional(rnnFile, rnnPrefix + BiasInputHidden);
        SafetensorsEntry? recurrentBias = Optional(rnnFile, rnnPrefix + BiasHiddenHidden);
        if ((inputBias is null) != (recurrentBias is null))
        {
            string missing = rnnPrefix + (inputBias is null ? BiasInputHidden : BiasHiddenHidden);
            string present = (inputBias ?? recurrentBias)!.Name;
            throw SafetensorsErrors.Invalid(rnnPath, $"missing tensor: '{missing}' is not in the file, but '{present}' is; nn.RNN has both biases, or neither (bias=False).");
        }

        foreach (SafetensorsEntry? bias in (ReadOnlySpan<SafetensorsEntry?>)[inputBias, recurrentBias])
        {
            if (bias is null) continue;
            RequireConvertible(bias, rnnPath);
            if (bias.Shape is not [var length] || length != h)
            {
                throw SafetensorsErrors.Invalid(rnnPath, $"wrong shape: tensor '{bias.Name}' is {bias.ShapeText}; nn.RNN's biases are [h] = [{h}].");
            }
        }

        // The head.
        var rnnNames = sameFile ? rnnKeys.Select(e => e.Name).ToHashSet(StringComparer.Ordinal) : [];
        if (options.HeadPrefix is string givenHead && sameFile && !ModulePrefix.AreDisjoint(rnnPrefix, givenHead))
        {
            throw new ArgumentException($"The head's prefix '{givenHead}' and the RNN's prefix '{rnnPrefix}' overlap; nn.RNN and nn.Linear are leaf modules, so neither prefix can start with the other.", nameof(options));
        }

        string headPrefix = options.HeadPrefix ?? FindHeadPrefix(headHeader, headFilePath, rnnNames, sameFile ? rnnPrefix : null, h);
        bool headPrefixFound = options.HeadPrefix is null;
        var headKeys = headHeader.Entries.Where(e => IsHeadKey(e.Name, headPrefix) && !rnnNames.Contains(e.Name)).ToList();
        string[] unexpectedInHead = headKeys.Select(e => e.Name[headPrefix.Length..])
            .Where(n => n is not (HeadWeight or HeadBias)).Select(n => headPrefix + n).ToArray();
        if (unexpectedInHead.Length > 0)
        {
            throw SafetensorsErrors.Invalid(headFilePath, $"unexpected tensor: {List(unexpectedInHead)} {(unexpectedInHead.Length == 1 ? "is" : "are")} under the head's prefix {ModulePrefix.Show(headPrefix)} but not parameters of an nn.Linear, which has only weight and bias.");
        }

        SafetensorsEntry outputWeights = Require(headHeader, headPrefix + HeadWeight, headFilePath, () => "");
        RequireConvertible(outputWeights, headFilePath);
        if (outputWeights.Shape is not [var o, var inFeatures] || o < 1 || inFeatures != h)
        {
            throw SafetensorsErrors.Invalid(headFilePath, $"wrong shape: tensor '{outputWeights.Name}' is {outputWeights.ShapeText}; the nn.Linear head's weight is [o, h] = [o, {h}] with o at least 1 (h = {h} from the RNN).");
        }

        SafetensorsEntry? outputBias = Optional(headHeader, headPrefix + HeadBias);
        if (outputBias is not null)
        {
            RequireConvertible(outputBias, headFilePath);
            if (outputBias.Shape is not [var length] || length != o)
            {
                throw SafetensorsErrors.Invalid(headFilePath, $"wrong shape: tensor '{outputBias.Name}' is {outputBias.ShapeText}; the nn.Linear head's bias is [o] = [{o}].");
            }
        }

        RnnShape shape = MakeShape(d, h, o, rnnPath);
        NonlinearitySource source = CheckMetadata(rnnFile, rnnPath, options, shape);

        var headNames = headKeys.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        return new PyTorchStateDictMapping
        {
            Shape = shape,
            RnnPrefix = rnnPrefix,
            RnnPrefixFound = rnnPrefixFound,
            HeadPrefix = headPrefix,
            HeadPrefixFound = headPrefixFound,
            InputWeights = inputWeights,
            RecurrentWeights = recurrentWeights,
            InputBias = inputBias,
            RecurrentBias = recurrentBias,
            OutputWeights = outputWeights,
            OutputBias = outputBias,
            NonlinearitySource = source,
            Ignored = rnnFile.Entries.Where(e => !IsRnnKey(e.Name, rnnPrefix) && !(sameFile && headNames.Contains(e.Name))).ToArray(),
            IgnoredInHeadFile = sameFile ? [] : headHeader.Entries.Where(e => !headNames.Contains(e.Name)).ToArray(),
        };
    }

    /// <summary>Whether <paramref name="key"/> belongs to the RNN under <paramref name="prefix"/> (see the remarks).</summary>
    public static bool IsRnnKey(string key, string prefix) =>
        prefix.Length > 0 ? key.StartsWith(prefix, StringComparison.Ordinal) : RnnParameterName().IsMatch(key);

    private static bool IsHeadKey(string key, string prefix) =>
        prefix.Length > 0 ? key.StartsWith(prefix, StringComparison.Ordinal) : key is HeadWeight or HeadBias;

    /// <summary>The names nn.RNN, nn.GRU and nn.LSTM give their parameters: weight_ih_l0, bias_hh_l2_reverse, weight_hr_l0, …</summary>
    [GeneratedRegex(@"^(weight|bias)_[a-z]+_l[0-9]+(_reverse)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex RnnParameterName();

    private static string FindRnnPrefix(SafetensorsHeader file, string? path)
    {
        string[] candidates = file.Entries.Select(e => e.Name)
            .Where(n => n.EndsWith(WeightInputHidden, StringComparison.Ordinal))
            .Select(n => n[..^WeightInputHidden.Length])
            .Where(p => p.Length == 0 || p[^1] == '.')
            .Order(StringComparer.Ordinal).ToArray();
        if (candidates.Length == 1) return candidates[0];
        if (candidates.Length == 0)
        {
            throw SafetensorsErrors.Invalid(path, $"no recurrent layer: no key ends with '{WeightInputHidden}', so the file holds no nn.RNN state_dict (its keys: {List(file.Entries.Select(e => e.Name))}).");
        }

        throw SafetensorsErrors.Invalid(path, $"ambiguous: the file holds nn.RNN weights under {candidates.Length} prefixes, {List(candidates.Select(ModulePrefix.Show), quoted: false)}; say which with {nameof(PyTorchImportOptions.RnnPrefix)}.");
    }

    private static string FindHeadPrefix(SafetensorsHeader file, string? path, HashSet<string> rnnNames, string? rnnPrefix, long h)
    {
        var weights = file.Entries
            .Where(e => (e.Name == HeadWeight || e.Name.EndsWith("." + HeadWeight, StringComparison.Ordinal)) && !rnnNames.Contains(e.Name))
            .Select(e => (Entry: e, Prefix: e.Name[..^HeadWeight.Length]))
            .Where(w => rnnPrefix is null || ModulePrefix.AreDisjoint(rnnPrefix, w.Prefix))
            .ToArray();
        string[] candidates = weights.Where(w => w.Entry.Shape is [>= 1, var columns] && columns == h)
            .Select(w => w.Prefix).Order(StringComparer.Ordinal).ToArray();
        if (candidates.Length == 1) return candidates[0];
        if (candidates.Length == 0)
        {
            string found = weights.Length == 0
                ? "the file has no key 'weight' or '….weight' outside the RNN; a head saved in a file of its own loads with LoadWithSeparateHead"
                : $"found {List(weights.Select(w => $"{w.Entry.Name} {w.Entry.ShapeText}"), quoted: false)}";
            throw SafetensorsErrors.Invalid(path, $"no head: no nn.Linear weight [o, {h}] (h = {h} from the RNN) is in the file; {found}.");
        }

        throw SafetensorsErrors.Invalid(path, $"ambiguous: the file holds {candidates.Length} nn.Linear heads that fit the RNN (weight [o, {h}]), under {List(candidates.Select(ModulePrefix.Show), quoted: false)}; say which with {nameof(PyTorchImportOptions.HeadPrefix)}.");
    }

    private static string RnnPrefixHint(SafetensorsHeader file, string prefix)
    {
        string[] others = file.Entries.Select(e => e.Name)
            .Where(n => n.EndsWith(WeightInputHidden, StringComparison.Ordinal) && n != prefix + WeightInputHidden)
            .Select(n => ModulePrefix.Show(n[..^WeightInputHidden.Length])).ToArray();
        return others.Length == 0
            ? $" (the RNN's prefix is {ModulePrefix.Show(prefix)}; no key of the file ends with '{WeightInputHidden}')"
            : $" (the RNN's prefix is {ModulePrefix.Show(prefix)}; the file has nn.RNN weights under {string.Join(", ", others)})";
    }

    private static string UnsupportedRnnHint(string[] unexpected)
    {
        var hints = new List<string>();
        if (unexpected.Any(n => n.EndsWith("_reverse", StringComparison.Ordinal))) hints.Add("keys ending in _reverse come from bidirectional=True");
        if (unexpected.Any(n => LayerAboveZero().IsMatch(n))) hints.Add("keys ending in _l1 or higher come from num_layers > 1");
        if (unexpected.Any(n => n.Contains("_hr_", StringComparison.Ordinal))) hints.Add("weight_hr keys come from an nn.LSTM with proj_size");
        return hints.Count == 0 ? "" : $" ({string.Join("; ", hints)}: Rnn.Fast runs one layer in one direction)";
    }

    [GeneratedRegex(@"_l([1-9][0-9]*|0[0-9]+)(_reverse)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex LayerAboveZero();

    private static string OtherCellHint(SafetensorsEntry recurrentWeights)
    {
        if (recurrentWeights.Shape is not [var rows, var columns] || columns < 1) return "";
        return rows == 4 * columns ? $"; [{rows}, {columns}] = [4h, h] is an nn.LSTM's, which Rnn.Fast does not run"
            : rows == 3 * columns ? $"; [{rows}, {columns}] = [3h, h] is an nn.GRU's, which Rnn.Fast does not run"
            : "";
    }

    private static RnnShape MakeShape(long d, long h, long o, string? path)
    {
        Int128 count = (Int128)d * h + (Int128)h * h + h + (Int128)h * o + o;
        if (d > int.MaxValue || h > int.MaxValue || o > int.MaxValue || count > RnnShape.MaxParameterCount)
        {
            throw SafetensorsErrors.Invalid(path, $"too large: the tensors give d={d}, h={h}, o={o}, which needs {count} parameters; a model holds at most {RnnShape.MaxParameterCount}.");
        }

        // A shape whose weight packs would not fit in one array (they pad their columns to 64) cannot be built: refused
        // here, from the sizes alone, as the model file's loader refuses it (ModelSizes decides for both).
        if (ModelSizes.Problem((int)d, (int)h, (int)o) is string problem)
        {
            throw SafetensorsErrors.Invalid(path, $"too large: {problem}.");
        }

        return new RnnShape((int)d, (int)h, (int)o);
    }

    private static NonlinearitySource CheckMetadata(SafetensorsHeader file, string? path, PyTorchImportOptions options, RnnShape shape)
    {
        (string Key, int Value)[] sizes = [(InputSizeKey, shape.InputSize), (HiddenSizeKey, shape.HiddenSize), (OutputSizeKey, shape.OutputSize)];
        foreach ((string key, int value) in sizes)
        {
            if (file.Metadata.TryGetValue(key, out string? written) &&
                !(int.TryParse(written, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) && parsed == value))
            {
                throw SafetensorsErrors.Invalid(path, $"metadata mismatch: '{key}' says '{written}', but the tensors give {value} ({shape}).");
            }
        }

        if (!file.Metadata.TryGetValue(NonlinearityKey, out string? nonlinearity))
        {
            return options.Nonlinearity is null ? NonlinearitySource.Assumed : NonlinearitySource.Caller;
        }

        return nonlinearity switch
        {
            "tanh" => options.Nonlinearity is null ? NonlinearitySource.FileMetadata : NonlinearitySource.Caller,
            "relu" => throw new NotSupportedException($"{(path is null ? "" : path + ": ")}the file's metadata says the RNN's nonlinearity is relu; Rnn.Fast runs tanh only."),
            _ => throw SafetensorsErrors.Invalid(path, $"metadata mismatch: '{NonlinearityKey}' says '{nonlinearity}'; expected 'tanh' (or 'relu', which Rnn.Fast does not run)."),
        };
    }

    private static SafetensorsEntry Require(SafetensorsHeader file, string name, string? path, Func<string> hint) =>
        file.ByName.TryGetValue(name, out SafetensorsEntry? entry)
            ? entry
            : throw SafetensorsErrors.Invalid(path, $"missing tensor: '{name}' is not in the file{hint()}.");

    private static SafetensorsEntry? Optional(SafetensorsHeader file, string name) =>
        file.ByName.TryGetValue(name, out SafetensorsEntry? entry) ? entry : null;

    private static void RequireConvertible(SafetensorsEntry entry, string? path)
    {
        if (!SafetensorsDataTypes.IsConvertibleToSingle(entry.DataType))
        {
            throw SafetensorsErrors.Invalid(path, $"unsupported dtype: tensor '{entry.Name}' is {entry.DataType}; Rnn.Fast converts F32, F64, F16 and BF16 to float32.");
        }
    }

    private static string List(IEnumerable<string> names, bool quoted = true)
    {
        string[] all = names.ToArray();
        IEnumerable<string> shown = all.Take(ListedKeys).Select(n => quoted ? $"'{n}'" : n);
        string more = all.Length > ListedKeys ? $" and {all.Length - ListedKeys} more" : "";
        return all.Length == 0 ? "none" : string.Join(", ", shown) + more;
    }

    private void AddHead(HashSet<string> names)
    {
        names.Add(OutputWeights.Name);
        if (OutputBias is not null) names.Add(OutputBias.Name);
    }
}
