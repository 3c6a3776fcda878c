using System.Text.Json;
using Rnn.Fast.Cli;
using Rnn.Fast.Interop;
using Rnn.Fast.Tests.Interop;
using Rnn.Fast.Tests.Serialization;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Cli;

/// <summary>
/// rnn import and rnn export move a model between a model file and a PyTorch state_dict in safetensors (through
/// Rnn.Fast.Interop) or an ONNX graph (through Rnn.Fast.Onnx), printing what they found. The files torch wrote
/// (tests/Fixtures/pytorch) import to the parameters the library reads from them, bit for bit: for ONNX, to the same
/// parameters as the same network's state_dict. Exports read back to the same parameters. Refused files, refused
/// graphs and options that do not fit the format exit with 2 and one line. ONNX Runtime running what rnn export
/// writes is the exporter's own test (tests/Rnn.Fast.Parity.Tests/Onnx); here the CLI's wiring is under test.
/// </summary>
public sealed class InteropCommandTests
{
    private static string PyTorchFixture(string name) => RepositoryFiles.Path($"tests/Fixtures/pytorch/{name}");

    [Fact]
    public void ImportingAPyTorchStateDictPrintsTheMappingAndWritesTheModelBitForBit()
    {
        using var folder = new TemporaryFolder();
        string source = PyTorchFixture("prefix_dataparallel.safetensors"), model = folder.File("imported.rnnf");

        var (exitCode, output, error) = CliHarness.Run("import", source, "--out", model);

        Assert.True(exitCode == CommandLine.SuccessExitCode, error);
        foreach (string expected in new[] { "shape: d=3, h=20, o=2", "'module.rnn.' (found)", "module.rnn.weight_hh_l0 F32 [20, 20] → Whh, transposed", "module.fc.bias F32 [2]" })
        {
            Assert.Contains(expected, output);
        }

        RnnModelFileContents contents = RnnModelFile.LoadContents(model);
        FloatAssert.BitIdentical(PyTorchSafetensors.Load(source).Model.Parameters, contents.Model.Parameters, "imported parameters");
        Assert.Equal("prefix_dataparallel.safetensors", contents.Metadata["imported-from"]);
        Assert.Equal("module.rnn.", contents.Metadata["import.rnn-prefix"]);
    }

    [Fact]
    public void ExportingAModelWritesAStateDictThatReadsBackToTheSameParameters()
    {
        using var folder = new TemporaryFolder();
        string model = folder.File("m.rnnf"), exported = folder.File("m.safetensors"), again = folder.File("again.rnnf");
        RnnModelFile.Save(new RnnModel(new RnnShape(3, 7, 2), seed: 4), model);

        var (exitCode, output, error) = CliHarness.Run("export", model, "--prefix", "module.rnn.,module.fc.", "--out", exported);
        var (importExit, _, importError) = CliHarness.Run("import", exported, "--out", again);

        Assert.True(exitCode == CommandLine.SuccessExitCode, error);
        Assert.Contains("module.rnn.weight_ih_l0 F32 [7, 3]", output);
        Assert.Contains("module.fc.weight F32 [2, 7]", output);
        Assert.True(importExit == CommandLine.SuccessExitCode, importError);
        FloatAssert.BitIdentical(RnnModelFile.Load(model).Parameters, RnnModelFile.Load(again).Parameters, "exported and imported again");
    }

    /// <summary>
    /// torch.onnx.export writes the nn.RNN's weights as W = weight_ih_l0 [1, h, d], R = weight_hh_l0 [1, h, h] and
    /// B = [bias_ih_l0 | bias_hh_l0] [1, 2h], the values copied, and the head as Gemm(fc.weight, fc.bias). The ONNX
    /// import sums B's halves in one float addition, as the safetensors import sums the two bias tensors, and float
    /// addition is commutative, so both give the same bits: equality, not a tolerance, is the law.
    /// </summary>
    [Fact]
    public void ImportingTorchsOnnxGraphGivesTheParametersOfItsStateDictBitForBit()
    {
        using var folder = new TemporaryFolder();
        string model = folder.File("tm_last.rnnf");

        var (exitCode, output, error) = CliHarness.Run("import", PyTorchFixture("tm_last.onnx"), "--out", model);

        Assert.True(exitCode == CommandLine.SuccessExitCode, error);
        RnnModelFileContents contents = RnnModelFile.LoadContents(model);
        FloatAssert.BitIdentical(PyTorchSafetensors.Load(PyTorchFixture("tm_last.safetensors")).Model.Parameters, contents.Model.Parameters,
            "tm_last.onnx imported against tm_last.safetensors");

        // The report names torch's initializers (read from the manifest, which lists the graph's nodes).
        JsonElement graph = PyTorchFixtures.Case("tm_last").GetProperty("onnx")[0];
        string[] rnnInputs = NodeInputs(graph, "RNN"), gemmInputs = NodeInputs(graph, "Gemm");
        foreach (string expected in new[]
        {
            "rnn import: ", "opset 14", "d=3, h=20, o=2, 522 parameters", "input 'x': [T, n, d], time-major",
            "initial state: zero (built from the input's batch size)", "output 'o' [n, o], last step",
            $"    Wxh <- '{rnnInputs[1]}' [1, 20, 3]", $"    Whh <- '{rnnInputs[2]}' [1, 20, 20]", $"    bh <- '{rnnInputs[3]}' [1, 40]",
            $"    Who <- '{gemmInputs[1]}' [2, 20]", $"    bo <- '{gemmInputs[2]}' [2]", "  wrote:    ",
        })
        {
            Assert.Contains(expected, output);
        }

        Assert.Equal("tm_last.onnx", contents.Metadata["imported-from"]);
        Assert.StartsWith("rnn import ", contents.Metadata["created-by"], StringComparison.Ordinal);
        Assert.Equal("onnx", contents.Metadata["import.format"]);
        Assert.Equal("14", contents.Metadata["import.onnx-opset"]);
        Assert.Equal("time-major [T, n, d]", contents.Metadata["import.input-layout"]);
        Assert.Equal("last step", contents.Metadata["import.output-steps"]);
        Assert.False(contents.Metadata.ContainsKey("import.output-layout"));
        Assert.Equal(2, contents.FormatVersion);
    }

    /// <summary>bf_every: batch_first, the head on every step (MatMul by fc.weight already transposed, then Add);
    /// the layout and the steps are what the model file cannot say by itself, so they go into its metadata.</summary>
    [Fact]
    public void ImportingABatchFirstEveryStepGraphReportsItsLayoutAndStepsAndRecordsThem()
    {
        using var folder = new TemporaryFolder();
        string model = folder.File("bf_every.rnnf");

        var (exitCode, output, error) = CliHarness.Run("import", PyTorchFixture("bf_every.onnx"), "--out", model);

        Assert.True(exitCode == CommandLine.SuccessExitCode, error);
        Assert.Contains("input 'x': [n, T, d], batch-major", output);
        Assert.Contains("output 'o' [n, T, o], every step", output);
        RnnModelFileContents contents = RnnModelFile.LoadContents(model);
        Assert.Equal("batch-major [n, T, d]", contents.Metadata["import.input-layout"]);
        Assert.Equal("every step", contents.Metadata["import.output-steps"]);
        Assert.Equal("batch-major [n, T, o]", contents.Metadata["import.output-layout"]);
        Assert.Equal("zero (built from the input's batch size)", contents.Metadata["import.initial-state"]);
        FloatAssert.BitIdentical(PyTorchSafetensors.Load(PyTorchFixture("bf_every.safetensors")).Model.Parameters, contents.Model.Parameters,
            "bf_every.onnx imported against bf_every.safetensors");
    }

    /// <summary>
    /// rnn export --format onnx, then rnn import of what it wrote, gives back the model bit for bit, at the newest
    /// and the oldest opset written, for the last step and every step, with and without the initial-state input.
    /// The parameters hold −0, a subnormal, ±∞ and a NaN with a payload, which any arithmetic on the way (bh + 0 for
    /// the zero Rb, a widening, a transposition done wrong) would change.
    /// </summary>
    [Theory]
    [InlineData(14, "last", false)]
    [InlineData(9, "every", true)]
    public void AnOnnxExportImportsBackBitForBit(int opset, string outputs, bool initialState)
    {
        using var folder = new TemporaryFolder();
        string model = folder.File("m.rnnf"), exported = folder.File("m.onnx"), again = folder.File("again.rnnf");
        var shape = new RnnShape(3, 5, 2);
        float[] parameters = new float[shape.ParameterCount];
        new RnnModel(shape, seed: 7).CopyParametersTo(parameters);
        float[] special = [-0f, float.Epsilon * 3, float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(0x7FC01234)];
        special.CopyTo(shape.Bh<float>(parameters));
        special.AsSpan(0, 2).CopyTo(shape.Bo<float>(parameters));
        shape.Wxh<float>(parameters)[4] = -0f;
        RnnModelFile.Save(new RnnModel(shape, parameters), model);
        string[] args = ["export", model, "--format", "onnx", "--opset", $"{opset}", "--outputs", outputs, "--out", exported];

        var (exitCode, output, error) = CliHarness.Run(initialState ? [.. args, "--initial-state"] : args);
        var (importExit, importOutput, importError) = CliHarness.Run("import", exported, "--out", again);

        Assert.True(exitCode == CommandLine.SuccessExitCode, error);
        Assert.True(importExit == CommandLine.SuccessExitCode, importError);
        FloatAssert.BitIdentical(parameters, RnnModelFile.Load(again).Parameters, $"exported at opset {opset} and imported again");
        bool everyStep = outputs == "every";
        foreach (string expected in new[]
        {
            $"ONNX opset {opset}, IR version {(opset == 9 ? 4 : 7)}", "read back bit for bit", "input:  'X' [T, n, 3], time-major; T and n symbolic",
            everyStep ? "output: 'O' [T, n, 2], the output of every step" : "output: 'O' [n, 2], the output of the last step",
            "output: 'Y_h' [1, n, 5], the last hidden state", "Wxh -> 'W' [1, 5, 3]", "bh -> 'B' [1, 10]", "Who -> 'Who' [5, 2]",
            everyStep ? "the MatMul's B" : "the Gemm's B",
        })
        {
            Assert.Contains(expected, output);
        }

        Assert.Equal(initialState, output.Contains("input:  'initial_h' [1, n, 5]", StringComparison.Ordinal));
        Assert.Equal(initialState, importOutput.Contains("initial state: graph input 'initial_h'", StringComparison.Ordinal));
        Assert.Contains($"output 'O' [{(everyStep ? "T, n, o], every step" : "n, o], last step")}", importOutput);
        Assert.DoesNotContain("not exported", output);   // a version-1 model file has no sections to leave behind
    }

    /// <summary>A trained model's columns, scaling and window stay in the model file; the report says so, and what the
    /// scaling means for the graph's inputs and outputs.</summary>
    [Fact]
    public void AnOnnxExportOfAModelWithScalingSaysTheSectionsStayBehind()
    {
        using var folder = new TemporaryFolder();
        string model = folder.File("scaled.rnnf");
        var shape = new RnnShape(2, 3, 1);
        RnnModelFile.Save(new RnnModel(shape, seed: 1), model,
        [
            ModelFileSection.CreateFloat64Array(ModelFileSectionNames.InputMean, [1, 2]),
            ModelFileSection.CreateFloat64Array(ModelFileSectionNames.InputScale, [3, 4]),
            ModelFileSection.CreateInt64Array(ModelFileSectionNames.WindowLength, [14]),
        ]);

        var (exitCode, output, error) = CliHarness.Run("export", model, "--format", "onnx", "--out", folder.File("scaled.onnx"));

        Assert.True(exitCode == CommandLine.SuccessExitCode, error);
        Assert.Contains("not exported: the model file's sections (inputs.mean, inputs.scale, window.length): an ONNX graph holds the network only", output);
        Assert.Contains("the graph takes standardized inputs and gives standardized outputs", output);
    }

    /// <summary>Every unsupported graph torch wrote is refused naming its recurrent node: the LSTM, the GRU, the
    /// bidirectional and the ReLU RNN their only one, the two-layer RNN its second (the manifest lists the nodes).</summary>
    [Theory]
    [MemberData(nameof(UnsupportedCases))]
    public void ARefusedOnnxGraphExitsWithTwoAndOneLineNamingTheNode(string caseName)
    {
        using var folder = new TemporaryFolder();
        JsonElement refused = PyTorchFixtures.Case(caseName).GetProperty("onnx")[0].GetProperty("nodes").EnumerateArray()
            .Last(n => n.GetProperty("op_type").GetString() is "RNN" or "LSTM" or "GRU");

        var (exitCode, _, error) = CliHarness.Run("import", PyTorchFixture($"{caseName}.onnx"), "--out", folder.File("m.rnnf"));

        Assert.Equal(CommandLine.UsageErrorExitCode, exitCode);
        string line = Assert.Single(CliHarness.Lines(error));
        Assert.StartsWith($"rnn: {PyTorchFixture($"{caseName}.onnx")}: ", line, StringComparison.Ordinal);
        Assert.Contains($"node '{refused.GetProperty("name").GetString()}' ({refused.GetProperty("op_type").GetString()}): unsupported ", line);
        Assert.Empty(folder.FileNames());
    }

    public static TheoryData<string> UnsupportedCases() => PyTorchFixtures.CaseNames("unsupported");

    [Theory]
    [InlineData("ambiguous_two_heads.safetensors", "ambiguous")]
    [InlineData("tm_last.safetensors", "--prefix", "--prefix", "rnn,fc.")]
    [InlineData("tm_last.onnx", "--prefix selects the modules of a safetensors state_dict", "--prefix", "rnn.,fc.")]
    [InlineData("manifest.json", "neither a .safetensors nor an .onnx file")]
    [InlineData("missing.onnx", "there is no file")]
    public void RefusedImportsExitWithTwoAndOneLine(string fixture, string mentioned, params string[] options)
    {
        using var folder = new TemporaryFolder();

        var (exitCode, _, error) = CliHarness.Run(["import", PyTorchFixture(fixture), .. options, "--out", folder.File("m.rnnf")]);

        Assert.Equal(CommandLine.UsageErrorExitCode, exitCode);
        Assert.Contains(mentioned, Assert.Single(CliHarness.Lines(error)));
        Assert.Empty(folder.FileNames());
    }

    [Theory]
    [InlineData("m.onnx", "ends in .onnx but the format is safetensors; give --format onnx")]
    [InlineData("m.safetensors", "ends in .safetensors but the format is onnx; give --format safetensors", "--format", "onnx")]
    [InlineData("m.bin", "must end in .onnx for --format onnx", "--format", "onnx")]
    [InlineData("m.onnx", "--opset must be a whole number from 9 to 14, not '15'", "--format", "onnx", "--opset", "15")]
    [InlineData("m.onnx", "--opset must be a whole number from 9 to 14, not '8'", "--format", "onnx", "--opset", "8")]
    [InlineData("m.onnx", "--outputs must be 'last' or 'every', not 'all'", "--format", "onnx", "--outputs", "all")]
    [InlineData("m.onnx", "--format must be 'safetensors' or 'onnx', not 'tflite'", "--format", "tflite")]
    [InlineData("m.onnx", "--prefix is an option of --format safetensors only, and the format is onnx", "--format", "onnx", "--prefix", "rnn.,fc.")]
    [InlineData("m.safetensors", "--opset is an option of --format onnx only, and the format is safetensors", "--opset", "14")]
    [InlineData("m.safetensors", "--outputs is an option of --format onnx only, and the format is safetensors", "--outputs", "last")]
    [InlineData("m.safetensors", "--initial-state is an option of --format onnx only, and the format is safetensors", "--initial-state")]
    public void ExportOptionsThatDoNotFitTheFormatExitWithTwoAndWriteNothing(string outputName, string mentioned, params string[] options)
    {
        using var folder = new TemporaryFolder();
        string model = folder.File("m.rnnf");
        RnnModelFile.Save(new RnnModel(new RnnShape(1, 2, 1), seed: 1), model);

        var (exitCode, _, error) = CliHarness.Run(["export", model, .. options, "--out", folder.File(outputName)]);

        Assert.Equal(CommandLine.UsageErrorExitCode, exitCode);
        Assert.Contains(mentioned, Assert.Single(CliHarness.Lines(error)));
        Assert.Equal(["m.rnnf"], folder.FileNames());
    }

    /// <summary>The inputs of the graph's only node with operator <paramref name="opType"/>, as the manifest lists them.</summary>
    private static string[] NodeInputs(JsonElement graph, string opType) =>
        [.. graph.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("op_type").GetString() == opType)
            .GetProperty("inputs").EnumerateArray().Select(i => i.GetString()!)];
}
