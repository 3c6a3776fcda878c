using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using Rnn.Fast.Interop;
using Rnn.Fast.Tests.Serialization;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Interop;

/// <summary>
/// Saving: the file holds what PyTorch's load_state_dict expects (checked with the tests' own reader; TorchSharp
/// loads it in the parity tests), saving to a path is atomic, and ours → safetensors → ours is bit-exact.
/// </summary>
public sealed class PyTorchSafetensorsSaveTests
{
    /// <summary>
    /// Every float bit survives, NaN payloads, −0 and subnormals included, through a seekable stream, an unseekable
    /// one and a path. 300 random small shapes with awkward values take well under a second.
    /// </summary>
    [Fact]
    public void OursToSafetensorsToOursIsBitExact()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("model.safetensors");
        var shapes = Gen.Choose(1, 7).Three().Select(s => new RnnShape(s.Item1, s.Item2, s.Item3));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Arb.From(shapes), Arb.From(Gen.Choose(0, int.MaxValue)), (RnnShape shape, int seed) =>
        {
            var model = new RnnModel(shape, ModelFileBytes.AwkwardParameters(shape.ParameterCount, seed));
            var stream = new MemoryStream();
            PyTorchSafetensors.Save(model, stream);
            byte[] file = stream.ToArray();
            PyTorchSafetensors.Save(model, path);
            Assert.Equal(file, File.ReadAllBytes(path));

            foreach ((string route, PyTorchImport import) in new[]
            {
                ("seekable", PyTorchSafetensors.Load(new MemoryStream(file, writable: false))),
                ("unseekable", PyTorchSafetensors.Load(new RestrictedStream(file, canSeek: false))),
                ("path", PyTorchSafetensors.Load(path)),
            })
            {
                Assert.Equal(shape, import.Shape);
                FloatAssert.BitIdentical(model.Parameters, import.Model.Parameters, $"{route} round trip of {shape}, seed {seed}");
                Assert.Equal(NonlinearitySource.FileMetadata, import.NonlinearitySource);
            }
        }));
    }

    [Fact]
    public void TheSavedFileHoldsPyTorchsNamesShapesAndLayoutInF32WithOurMetadata()
    {
        var shape = new RnnShape(3, 5, 2);
        var model = new RnnModel(shape, seed: 42);
        var stream = new MemoryStream();
        PyTorchSafetensors.Save(model, stream);
        byte[] file = stream.ToArray();

        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(file);
        Assert.Equal(0, (8 + headerLength) % 8); // the data section is 8-byte aligned
        Dictionary<string, RawTensor> tensors = PyTorchFixtures.ReadSafetensors(file);
        Assert.Equal(["fc.bias", "fc.weight", "rnn.bias_hh_l0", "rnn.bias_ih_l0", "rnn.weight_hh_l0", "rnn.weight_ih_l0"], tensors.Keys.Order(StringComparer.Ordinal));
        Assert.All(tensors.Values, t => Assert.Equal("F32", t.DataType));
        Assert.Equal([5L, 3L], tensors["rnn.weight_ih_l0"].Shape);
        Assert.Equal([5L, 5L], tensors["rnn.weight_hh_l0"].Shape);
        Assert.Equal([2L, 5L], tensors["fc.weight"].Shape);
        Assert.Equal(8 + headerLength + 4L * (shape.ParameterCount + shape.HiddenSize), file.Length); // bias_hh_l0 is the only extra

        // weight_ih_l0[j, i] = Wxh[i, j], and so on; bias_hh_l0 = 0.
        ReadOnlySpan<float> p = model.Parameters;
        float[] inputWeights = tensors["rnn.weight_ih_l0"].Singles(), outputWeights = tensors["fc.weight"].Singles();
        for (int i = 0; i < 3; i++) for (int j = 0; j < 5; j++) FloatAssert.BitIdentical(shape.Wxh(p)[i * 5 + j], inputWeights[j * 3 + i], $"Wxh[{i},{j}]");
        for (int j = 0; j < 5; j++) for (int k = 0; k < 2; k++) FloatAssert.BitIdentical(shape.Who(p)[j * 2 + k], outputWeights[k * 5 + j], $"Who[{j},{k}]");
        FloatAssert.BitIdentical(shape.Bh(p), tensors["rnn.bias_ih_l0"].Singles(), "bias_ih_l0 = bh");
        FloatAssert.BitIdentical(new float[5], tensors["rnn.bias_hh_l0"].Singles(), "bias_hh_l0 = 0");
        Assert.Equal(TorchLayout.Parameters(tensors, "rnn.", "fc."), model.Parameters.ToArray());

        Dictionary<string, string> metadata = PyTorchFixtures.ReadMetadata(file);
        Assert.Equal("pt", metadata["format"]);
        Assert.Equal("tanh", metadata["rnn_fast.nonlinearity"]);
        Assert.Equal(("3", "5", "2"), (metadata["rnn_fast.input_size"], metadata["rnn_fast.hidden_size"], metadata["rnn_fast.output_size"]));
        Assert.DoesNotContain("shape", metadata.Keys); // a metadata key named like an entry field breaks some readers
    }

    [Fact]
    public void TheCallerChoosesThePrefixesAndTheLoadFindsThemAgain()
    {
        var model = new RnnModel(new RnnShape(2, 4, 3), seed: 7);
        foreach ((string rnn, string head) in new[] { ("encoder.", "head."), ("module.rnn.", "module.fc."), ("", "") , ("rnn.", "")})
        {
            var stream = new MemoryStream();
            PyTorchSafetensors.Save(model, stream, new PyTorchExportOptions { RnnPrefix = rnn, HeadPrefix = head });
            byte[] file = stream.ToArray();
            Assert.Contains(rnn + "weight_hh_l0", PyTorchFixtures.ReadSafetensors(file).Keys);
            Assert.Contains(head + "bias", PyTorchFixtures.ReadSafetensors(file).Keys);
            PyTorchImport import = PyTorchSafetensors.Load(new MemoryStream(file));
            Assert.Equal((rnn, head), (import.RnnPrefix, import.HeadPrefix));
            FloatAssert.BitIdentical(model.Parameters, import.Model.Parameters, $"prefixes '{rnn}', '{head}'");
        }
    }

    /// <summary>A PyTorch model imported and saved again holds bh in bias_ih_l0 and zero in bias_hh_l0: the same model.</summary>
    [Fact]
    public void AnImportedPyTorchModelSavesWithItsBiasesFolded()
    {
        PyTorchImport imported = PyTorchSafetensors.Load(PyTorchFixtures.File("tm_last.safetensors"));
        var stream = new MemoryStream();
        PyTorchSafetensors.Save(imported.Model, stream);
        Dictionary<string, RawTensor> saved = PyTorchFixtures.ReadSafetensors(stream.ToArray());
        Dictionary<string, RawTensor> original = PyTorchFixtures.ReadSafetensors("tm_last.safetensors");
        float[] a = original["rnn.bias_ih_l0"].Singles(), b = original["rnn.bias_hh_l0"].Singles(), folded = saved["rnn.bias_ih_l0"].Singles();
        for (int j = 0; j < a.Length; j++) FloatAssert.BitIdentical(a[j] + b[j], folded[j], $"bias_ih_l0[{j}]");
        Assert.Equal(original["rnn.weight_hh_l0"].Bytes, saved["rnn.weight_hh_l0"].Bytes);
        Assert.Equal(original["fc.weight"].Bytes, saved["fc.weight"].Bytes);
        FloatAssert.BitIdentical(imported.Model.Parameters, PyTorchSafetensors.Load(new MemoryStream(stream.ToArray())).Model.Parameters, "reloaded");
    }

    /// <summary>A zero bias adds nothing: bh is the other bias bit for bit (−0 and NaN payloads kept); otherwise one float addition.</summary>
    [Fact]
    public void TheBiasSumIsOneFloatAdditionAndAZeroBiasAddsNothing()
    {
        float negativeZero = -0f, nanPayload = BitConverter.UInt32BitsToSingle(0x7F80_0001);
        FloatAssert.BitIdentical(negativeZero, PyTorchSafetensors.AddBiases(negativeZero, 0f), "−0 + 0");
        FloatAssert.BitIdentical(nanPayload, PyTorchSafetensors.AddBiases(nanPayload, 0f), "signalling NaN + 0");
        FloatAssert.BitIdentical(nanPayload, PyTorchSafetensors.AddBiases(0f, nanPayload), "0 + signalling NaN");
        FloatAssert.BitIdentical(0.1f + 0.2f, PyTorchSafetensors.AddBiases(0.1f, 0.2f), "0.1 + 0.2");
        FloatAssert.BitIdentical(1f, PyTorchSafetensors.AddBiases(1f, 1e-8f), "1 + 1e−8 rounds to nearest: 1");
    }

    [Fact]
    public void SavingToAPathIsAtomicAndReplacesTheFile()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("model.safetensors");
        var first = new RnnModel(new RnnShape(1, 2, 1), seed: 1);
        var second = new RnnModel(new RnnShape(2, 3, 1), seed: 2);
        PyTorchSafetensors.Save(first, path);
        PyTorchSafetensors.Save(second, path);
        Assert.Equal(["model.safetensors"], folder.FileNames()); // no temporary file left behind
        FloatAssert.BitIdentical(second.Parameters, PyTorchSafetensors.Load(path).Model.Parameters, "replaced");

        var directory = Assert.Throws<ArgumentException>(() => PyTorchSafetensors.Save(first, folder.Path));
        Assert.Equal("path", directory.ParamName);
        Assert.Throws<DirectoryNotFoundException>(() => PyTorchSafetensors.Save(first, folder.File("missing/model.safetensors")));
        Assert.Equal(["model.safetensors"], folder.FileNames());
        FloatAssert.BitIdentical(second.Parameters, PyTorchSafetensors.Load(path).Model.Parameters, "untouched by the failed saves");
    }

    [Fact]
    public void ArgumentsAreCheckedBeforeAnythingIsWritten()
    {
        var model = new RnnModel(new RnnShape(1, 2, 1), seed: 1);
        Assert.Throws<ArgumentNullException>(() => PyTorchSafetensors.Save(null!, new MemoryStream()));
        Assert.Throws<ArgumentNullException>(() => PyTorchSafetensors.Save(model, (Stream)null!));
        Assert.Throws<ArgumentException>(() => PyTorchSafetensors.Save(model, ""));
        var readOnly = new RestrictedStream([], canWrite: false);
        Assert.Equal("stream", Assert.Throws<ArgumentException>(() => PyTorchSafetensors.Save(model, readOnly)).ParamName);
        Assert.Empty(readOnly.Contents);
        Assert.Throws<ArgumentNullException>(() => PyTorchSafetensors.Load((Stream)null!));
        Assert.Throws<ArgumentException>(() => PyTorchSafetensors.Load(""));
        Assert.Equal("stream", Assert.Throws<ArgumentException>(() => PyTorchSafetensors.Load(new RestrictedStream([], canRead: false))).ParamName);
        Assert.Throws<FileNotFoundException>(() => PyTorchSafetensors.Load(Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.safetensors")));
        Assert.Throws<UnauthorizedAccessException>(() => PyTorchSafetensors.Load(Path.GetTempPath())); // a directory
    }

    /// <summary>
    /// An update by another thread that lands while a save reads the model (after it noted the parameters' version)
    /// makes the save throw before it writes a byte: to a path, the previous file stays and no temporary file is left;
    /// to a stream, nothing is written.
    /// </summary>
    [Fact]
    public void ASaveOverlappedByAnUpdateWritesNothingAndRenamesNothing()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("model.safetensors");
        var shape = new RnnShape(2, 3, 1);
        var model = new RnnModel(shape, seed: 1);
        float[] other = new RnnModel(shape, seed: 2).Parameters.ToArray();
        PyTorchSafetensors.Save(model, path);
        byte[] before = File.ReadAllBytes(path);
        void UpdateDuringTheNextRead() => model.ReadBeganForTest = () =>
        {
            model.ReadBeganForTest = null;
            model.SetParameters(other);
        };

        UpdateDuringTheNextRead();
        Assert.Throws<InvalidOperationException>(() => PyTorchSafetensors.Save(model, path));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], folder.FileNames());

        UpdateDuringTheNextRead();
        var stream = new MemoryStream();
        Assert.Throws<InvalidOperationException>(() => PyTorchSafetensors.Save(model, stream));
        Assert.Equal(0, stream.Length);
    }

    /// <summary>A stream load stops at the end of the data section, so a file may be embedded in a larger stream.</summary>
    [Fact]
    public void AStreamLoadLeavesTheStreamJustAfterTheDataSection()
    {
        var model = new RnnModel(new RnnShape(2, 3, 2), seed: 3);
        var stream = new MemoryStream();
        PyTorchSafetensors.Save(model, stream);
        long end = stream.Length;
        stream.Write([1, 2, 3]);
        stream.Position = 0;
        PyTorchSafetensors.Load(stream);
        Assert.Equal(end, stream.Position);

        var unseekable = new RestrictedStream(stream.ToArray(), canSeek: false);
        PyTorchSafetensors.Load(unseekable);
        Assert.Equal(end, unseekable.ActualPosition);
    }
}
