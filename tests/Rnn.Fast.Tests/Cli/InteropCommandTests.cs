using Rnn.Fast.Cli;
using Rnn.Fast.Interop;
using Rnn.Fast.Tests.Serialization;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Cli;

/// <summary>
/// rnn import and rnn export move a model between a PyTorch state_dict in safetensors and a model file through
/// Rnn.Fast.Interop, printing what they found; a PyTorch file (written by the fixtures' script) imports to the model
/// the library reads from it, bit for bit, and an export reads back to the same parameters. ONNX is refused with a
/// message saying so.
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

    [Theory]
    [InlineData("import", "tm_last.onnx", "ONNX is not available")]
    [InlineData("import", "ambiguous_two_heads.safetensors", "ambiguous")]
    [InlineData("import", "tm_last.safetensors", "--prefix")]
    public void RefusedImportsExitWithTwoAndOneLine(string command, string fixture, string mentioned)
    {
        using var folder = new TemporaryFolder();
        string[] args = fixture == "tm_last.safetensors"
            ? [command, PyTorchFixture(fixture), "--prefix", "rnn,fc.", "--out", folder.File("m.rnnf")]
            : [command, PyTorchFixture(fixture), "--out", folder.File("m.rnnf")];

        var (exitCode, _, error) = CliHarness.Run(args);

        Assert.Equal(CommandLine.UsageErrorExitCode, exitCode);
        Assert.Contains(mentioned, Assert.Single(CliHarness.Lines(error)));
        Assert.Empty(folder.FileNames());
    }

    [Fact]
    public void ExportingToOnnxIsRefusedWithAMessageSayingItIsNotAvailable()
    {
        using var folder = new TemporaryFolder();
        string model = folder.File("m.rnnf");
        RnnModelFile.Save(new RnnModel(new RnnShape(1, 2, 1), seed: 1), model);

        var (exitCode, _, error) = CliHarness.Run("export", model, "--format", "onnx", "--out", folder.File("m.onnx"));

        Assert.Equal(CommandLine.UsageErrorExitCode, exitCode);
        Assert.Contains("--format onnx is not available", error);
        Assert.Equal(["m.rnnf"], folder.FileNames());
    }
}
