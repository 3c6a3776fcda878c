using System.Text.Json;
using Rnn.Fast.Interop;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Interop;

/// <summary>
/// The state_dicts real PyTorch wrote (tests/Fixtures/pytorch) load into the layout the tests derive on their own
/// from torch's tensors, bit for bit; conversions from F64, F16 and BF16 equal torch's own <c>.to(torch.float32)</c>
/// bit for bit; prefixes are found where the file leaves no doubt; ambiguous and unsupported files give the
/// documented errors. Outputs and gradients are in <see cref="PyTorchFixtureNumericsTests"/>.
/// </summary>
public sealed class PyTorchFixtureImportTests
{
    public static TheoryData<string> SupportedCases => PyTorchFixtures.CaseNames("supported");

    public static TheoryData<string> DtypeCases => PyTorchFixtures.CaseNames("dtype");

    [Theory]
    [MemberData(nameof(SupportedCases))]
    public void EverySupportedStateDictLoadsIntoTheTransposedLayoutWithTheBiasesSummed(string name)
    {
        JsonElement manifest = PyTorchFixtures.Case(name);
        string file = manifest.GetProperty("state_dict").GetString()!;
        PyTorchImport import = PyTorchSafetensors.Load(PyTorchFixtures.File(file));

        var expectedShape = new RnnShape(manifest.GetProperty("d").GetInt32(), manifest.GetProperty("h").GetInt32(), manifest.GetProperty("o").GetInt32());
        Assert.Equal(expectedShape, import.Shape);
        float[] expected = TorchLayout.Parameters(PyTorchFixtures.ReadSafetensors(file), "rnn.", "fc.");
        FloatAssert.BitIdentical(expected, import.Model.Parameters, $"{name} parameters");

        bool bias = manifest.GetProperty("rnn_bias").GetBoolean();
        Assert.Equal(bias, import.HasRecurrentBias);
        Assert.True(import.HasOutputBias);
        if (!bias)
        {
            // nn.RNN(bias=False): no bias keys, bh = 0.
            Assert.All(import.Shape.Bh(import.Model.Parameters).ToArray(), value => Assert.Equal(0, BitConverter.SingleToInt32Bits(value)));
        }

        Assert.Equal(("rnn.", true, "fc.", true), (import.RnnPrefix, import.RnnPrefixFound, import.HeadPrefix, import.HeadPrefixFound));
        Assert.Equal(NonlinearitySource.Assumed, import.NonlinearitySource);
        Assert.Empty(import.IgnoredTensors);
        Assert.Equal(bias ? 6 : 4, import.Tensors.Count);
        Assert.Equal(
            manifest.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("name").GetString()).Order(),
            import.Tensors.Select(t => t.Tensor.Name).Order());
        Assert.Equal("pt", import.Metadata["format"]);
    }

    [Fact]
    public void TheDescriptionSaysWhichTensorWentWhere()
    {
        PyTorchImport import = PyTorchSafetensors.Load(PyTorchFixtures.File("tm_last.F16.safetensors"));
        string text = import.Describe();
        Assert.Contains("d=3, h=20, o=2", text, StringComparison.Ordinal);
        Assert.Contains("nn.RNN: 'rnn.' (found)", text, StringComparison.Ordinal);
        Assert.Contains("tanh (assumed", text, StringComparison.Ordinal);
        Assert.Contains("rnn.weight_ih_l0 F16 [20, 3]", text, StringComparison.Ordinal);
        Assert.Contains("→ Wxh, transposed, widened exactly from F16", text, StringComparison.Ordinal);
        Assert.Contains("→ Bh (bias_ih_l0 + bias_hh_l0)", text, StringComparison.Ordinal);
        Assert.Contains("ignored: none", text, StringComparison.Ordinal);
        ImportedTensor head = import.Tensors.Single(t => t.Target == RnnParameter.Who);
        Assert.Equal(("fc.weight", "F16", true), (head.Tensor.Name, head.Tensor.DataType, head.Transposed));
        Assert.Equal([2L, 20L], head.Tensor.Shape);
        Assert.Equal(PyTorchFixtures.File("tm_last.F16.safetensors"), head.Tensor.File);
    }

    /// <summary>F64, F16 and BF16 state_dicts load as torch's own <c>.to(torch.float32)</c> of them (the as_f32 files), bit for bit.</summary>
    [Theory]
    [MemberData(nameof(DtypeCases))]
    public void OtherDtypesConvertExactlyAsTorchConvertsThem(string name)
    {
        JsonElement manifest = PyTorchFixtures.Case(name);
        PyTorchImport import = PyTorchSafetensors.Load(PyTorchFixtures.File(manifest.GetProperty("state_dict").GetString()!));
        float[] expected = TorchLayout.Parameters(PyTorchFixtures.ReadSafetensors(manifest.GetProperty("as_f32").GetString()!), "rnn.", "fc.");
        // The sum of the two biases is taken after conversion, from torch's converted values, as we do.
        FloatAssert.BitIdentical(expected, import.Model.Parameters, $"{name} converted");
        string dtype = manifest.GetProperty("dtype").GetString()!;
        Assert.All(import.Tensors, t => Assert.Equal(dtype, t.Tensor.DataType));
    }

    /// <summary>
    /// The format edges (ties, overflow, subnormals, ±0, ±∞, NaN) convert as torch converts them: F64 → F32 rounds to
    /// nearest even, F16 and BF16 widen exactly. NaN is compared as NaN (torch's kernel picks its bits).
    /// </summary>
    [Theory]
    [InlineData("edge.F64.safetensors", "edge.F64.as_f32.safetensors")]
    [InlineData("edge.F64.safetensors", "edge.F32.safetensors")]
    [InlineData("edge.F16.safetensors", "edge.F16.as_f32.safetensors")]
    [InlineData("edge.BF16.safetensors", "edge.BF16.as_f32.safetensors")]
    [InlineData("edge.F32.safetensors", "edge.F32.safetensors")]
    public void EdgeValuesConvertBitForBitAsTorchConvertsThem(string source, string torchConverted)
    {
        using FileStream stream = File.OpenRead(PyTorchFixtures.File(source));
        SafetensorsHeader header = SafetensorsReader.ReadHeader(stream, source);
        float[] converted = SafetensorsReader.ReadTensors(stream, header, new HashSet<string> { "values" }, source)["values"];
        float[] expected = PyTorchFixtures.ReadSafetensors(torchConverted)["values"].Singles();
        Assert.Contains(expected, float.IsNaN);
        Assert.Contains(expected, float.IsPositiveInfinity);
        FloatAssert.BitIdenticalAnyNaN(expected, converted, $"{source} against torch's {torchConverted}");
    }

    /// <summary>Every prefix layout of the manifest is found (or refused as ambiguous) and holds tm_last's values.</summary>
    [Theory]
    [InlineData("prefix_encoder_head", "encoder.", "head.", new string[0])]
    [InlineData("prefix_nested", "encoder.rnn.", "head.", new string[0])]
    [InlineData("prefix_dataparallel", "module.rnn.", "module.fc.", new string[0])]
    [InlineData("bare_merged", "", "", new string[0])]
    [InlineData("extra_buffers", "rnn.", "fc.", new[] { "x_mean", "x_std", "num_updates" })]
    public void PrefixesAreFoundWhenTheFileLeavesNoDoubt(string name, string rnnPrefix, string headPrefix, string[] ignored)
    {
        JsonElement manifest = PyTorchFixtures.Case(name);
        Assert.Equal(rnnPrefix, manifest.GetProperty("rnn_prefix").GetString());
        Assert.Equal(headPrefix, manifest.GetProperty("head_prefix").GetString());
        PyTorchImport import = PyTorchSafetensors.Load(PyTorchFixtures.File(name + ".safetensors"));
        Assert.Equal((rnnPrefix, headPrefix), (import.RnnPrefix, import.HeadPrefix));
        Assert.True(import.RnnPrefixFound && import.HeadPrefixFound);
        FloatAssert.BitIdentical(TmLastParameters(), import.Model.Parameters, name);
        Assert.Equal(ignored.Order(), import.IgnoredTensors.Select(t => t.Name).Order());

        // Given instead of found: the same model.
        var given = new PyTorchImportOptions { RnnPrefix = rnnPrefix, HeadPrefix = headPrefix };
        PyTorchImport withPrefixes = PyTorchSafetensors.Load(PyTorchFixtures.File(name + ".safetensors"), given);
        Assert.False(withPrefixes.RnnPrefixFound || withPrefixes.HeadPrefixFound);
        FloatAssert.BitIdentical(TmLastParameters(), withPrefixes.Model.Parameters, $"{name} with prefixes given");
    }

    [Fact]
    public void TheOtherBuffersBesideTheModelAreListedNotRead()
    {
        PyTorchImport import = PyTorchSafetensors.Load(PyTorchFixtures.File("extra_buffers.safetensors"));
        SafetensorsTensorInfo updates = import.IgnoredTensors.Single(t => t.Name == "num_updates");
        Assert.Equal(("I64", 0), (updates.DataType, updates.Shape.Count));
        string text = import.Describe();
        Assert.Contains("ignored (neither the RNN's nor the head's): ", text, StringComparison.Ordinal);
        Assert.Contains("x_mean F32 [3]", text, StringComparison.Ordinal);
        Assert.Contains("num_updates I64 []", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AnRnnAndAHeadSavedApartLoadFromTwoFiles()
    {
        string rnn = PyTorchFixtures.File("bare_rnn.safetensors"), head = PyTorchFixtures.File("bare_linear.safetensors");
        PyTorchImport import = PyTorchSafetensors.LoadWithSeparateHead(rnn, head);
        Assert.Equal(("", ""), (import.RnnPrefix, import.HeadPrefix));
        FloatAssert.BitIdentical(TmLastParameters(), import.Model.Parameters, "bare_rnn + bare_linear");
        Assert.Equal(head, import.Tensors.Single(t => t.Target == RnnParameter.Bo).Tensor.File);
        Assert.Equal(rnn, import.Tensors.Single(t => t.Target == RnnParameter.Whh).Tensor.File);

        using FileStream rnnStream = File.OpenRead(rnn), headStream = File.OpenRead(head);
        FloatAssert.BitIdentical(TmLastParameters(), PyTorchSafetensors.LoadWithSeparateHead(rnnStream, headStream).Model.Parameters, "from streams");

        // The RNN's file alone has no head: the error says where to give it.
        var error = Assert.Throws<InvalidModelFileException>(() => PyTorchSafetensors.Load(rnn));
        Assert.StartsWith($"{rnn}: no head:", error.Message, StringComparison.Ordinal);
        Assert.Contains("LoadWithSeparateHead", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ambiguous_two_heads", "head_a.", "head_b.")]
    [InlineData("ambiguous_two_rnns", "rnn_a.", "rnn_b.")]
    public void AnAmbiguousFileIsRefusedWithItsCandidatesAndLoadsOnceTheCallerChooses(string name, string first, string second)
    {
        string path = PyTorchFixtures.File(name + ".safetensors");
        JsonElement manifest = PyTorchFixtures.Case(name);
        Assert.True(manifest.GetProperty("ambiguous").GetBoolean());
        var error = Assert.Throws<InvalidModelFileException>(() => PyTorchSafetensors.Load(path));
        Assert.StartsWith($"{path}: ambiguous:", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{first}', '{second}'", error.Message, StringComparison.Ordinal);

        bool heads = name.EndsWith("heads", StringComparison.Ordinal);
        PyTorchImport import = PyTorchSafetensors.Load(path, heads ? new PyTorchImportOptions { HeadPrefix = first } : new PyTorchImportOptions { RnnPrefix = first });
        FloatAssert.BitIdentical(TmLastParameters(), import.Model.Parameters, $"{name} with {first}");
        // The other module's tensors are someone else's: listed, not loaded.
        Assert.All(import.IgnoredTensors, t => Assert.StartsWith(second, t.Name, StringComparison.Ordinal));
        Assert.Equal(heads ? 2 : 4, import.IgnoredTensors.Count);
    }

    [Theory]
    [InlineData("unsupported_lstm", "wrong shape: tensor 'rnn.weight_hh_l0' is [20, 5]", "[20, 5] = [4h, h] is an nn.LSTM's")]
    [InlineData("unsupported_gru", "wrong shape: tensor 'rnn.weight_hh_l0' is [15, 5]", "[15, 5] = [3h, h] is an nn.GRU's")]
    [InlineData("unsupported_bidirectional", "unexpected tensor:", "bidirectional=True", "rnn.weight_ih_l0_reverse", "rnn.weight_hh_l0_reverse", "rnn.bias_ih_l0_reverse", "rnn.bias_hh_l0_reverse")]
    [InlineData("unsupported_2layer", "unexpected tensor:", "num_layers > 1", "rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1", "rnn.bias_hh_l1")]
    public void UnsupportedModelsAreRefusedNamingTheirTensors(string name, string problem, string hint, params string[] named)
    {
        string path = PyTorchFixtures.File(name + ".safetensors");
        var error = Assert.Throws<InvalidModelFileException>(() => PyTorchSafetensors.Load(path));
        Assert.StartsWith($"{path}: {problem}", error.Message, StringComparison.Ordinal);
        Assert.Contains(hint, error.Message, StringComparison.Ordinal);
        foreach (string tensor in named) Assert.Contains($"'{tensor}'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A ReLU RNN's state_dict is a tanh RNN's, keys and shapes alike: by default it loads (as tanh, which the import
    /// reports as assumed); when the caller says it is ReLU, the load is refused as not supported.
    /// </summary>
    [Fact]
    public void AReluRnnCannotBeToldApartByItsFileAndIsRefusedWhenTheCallerSaysSo()
    {
        string path = PyTorchFixtures.File("unsupported_relu.safetensors");
        PyTorchImport assumed = PyTorchSafetensors.Load(path);
        Assert.Equal((RnnNonlinearity.Tanh, NonlinearitySource.Assumed), (assumed.Nonlinearity, assumed.NonlinearitySource));

        var error = Assert.Throws<NotSupportedException>(() => PyTorchSafetensors.Load(path, new PyTorchImportOptions { Nonlinearity = RnnNonlinearity.Relu }));
        Assert.Contains("relu", error.Message, StringComparison.Ordinal);
        Assert.Contains("tanh only", error.Message, StringComparison.Ordinal);

        PyTorchImport told = PyTorchSafetensors.Load(path, new PyTorchImportOptions { Nonlinearity = RnnNonlinearity.Tanh });
        Assert.Equal(NonlinearitySource.Caller, told.NonlinearitySource);
    }

    [Fact]
    public void AGivenPrefixThatIsNotInTheFileIsAMissingTensorThatSaysWhatTheFileHas()
    {
        string path = PyTorchFixtures.File("tm_last.safetensors");
        var error = Assert.Throws<InvalidModelFileException>(() => PyTorchSafetensors.Load(path, new PyTorchImportOptions { RnnPrefix = "encoder." }));
        Assert.StartsWith($"{path}: missing tensor: 'encoder.weight_ih_l0' is not in the file", error.Message, StringComparison.Ordinal);
        Assert.Contains("nn.RNN weights under 'rnn.'", error.Message, StringComparison.Ordinal);

        var head = Assert.Throws<InvalidModelFileException>(() => PyTorchSafetensors.Load(path, new PyTorchImportOptions { HeadPrefix = "head." }));
        Assert.StartsWith($"{path}: missing tensor: 'head.weight' is not in the file", head.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PrefixesMustBeEmptyOrEndWithADotAndMustNotOverlap()
    {
        var wrong = Assert.Throws<ArgumentException>(() => new PyTorchImportOptions { RnnPrefix = "rnn" });
        Assert.Equal("RnnPrefix", wrong.ParamName);
        Assert.Contains("'rnn.'", wrong.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new PyTorchExportOptions { HeadPrefix = "fc" });
        Assert.Throws<ArgumentNullException>(() => new PyTorchExportOptions { RnnPrefix = null! });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PyTorchImportOptions { Nonlinearity = (RnnNonlinearity)7 });

        string path = PyTorchFixtures.File("tm_last.safetensors");
        var overlap = Assert.Throws<ArgumentException>(() => PyTorchSafetensors.Load(path, new PyTorchImportOptions { RnnPrefix = "model.", HeadPrefix = "model.fc." }));
        Assert.Equal("options", overlap.ParamName);
        var model = new RnnModel(new RnnShape(1, 2, 1), seed: 1);
        Assert.Throws<ArgumentException>(() => PyTorchSafetensors.Save(model, new MemoryStream(), new PyTorchExportOptions { RnnPrefix = "a.", HeadPrefix = "a." }));
    }

    /// <summary>tm_last's parameters in our layout: every prefix variant holds the same values.</summary>
    internal static float[] TmLastParameters() => TorchLayout.Parameters(PyTorchFixtures.ReadSafetensors("tm_last.safetensors"), "rnn.", "fc.");
}
