using Rnn.Fast.Cli;
using Rnn.Fast.Tests.Serialization;

namespace Rnn.Fast.Tests.Cli;

/// <summary>rnn info describes version-1 and version-2 files and refuses what is not a model file with exit code 2.</summary>
public sealed class InfoCommandTests
{
    [Fact]
    public void InfoDescribesTheCommittedVersionOneFixture()
    {
        var (exitCode, output, error) = CliHarness.Run("info", CliHarness.Version1Fixture);

        Assert.True(exitCode == CommandLine.SuccessExitCode, error);
        Assert.Contains("264 bytes, format version 1, CRC-32 0x94fdc387 (verified)", output);
        Assert.Contains("d=3, h=5, o=2, tanh; 57 parameters", output);
        Assert.Contains("2 of 57 are NaN or infinite", output);
        Assert.Contains("sections:    none", output);
    }

    [Fact]
    public void InfoListsTheSectionsOfAFileWithSectionsItDoesNotKnow()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("custom.rnnf");
        RnnModelFile.Save(new RnnModel(new RnnShape(1, 2, 1), seed: 3), path,
            [ModelFileSection.CreateMetadata([new("note", "made by a test")]), ModelFileSection.CreateBytes("myapp.state", [1, 2, 3])]);

        var (exitCode, output, _) = CliHarness.Run("info", path);

        Assert.Equal(CommandLine.SuccessExitCode, exitCode);
        Assert.Contains("metadata:    note = made by a test", output);
        Assert.Contains("myapp.state (Bytes, 3 bytes)", output);
        Assert.DoesNotContain("window:", output);
    }

    [Fact]
    public void InfoRefusesACorruptFileAndAMissingOneWithExitCodeTwo()
    {
        using var folder = new TemporaryFolder();
        string corrupt = folder.File("corrupt.rnnf");
        byte[] bytes = File.ReadAllBytes(CliHarness.Version1Fixture);
        bytes[100] ^= 1;
        File.WriteAllBytes(corrupt, bytes);

        var (exitCode, _, error) = CliHarness.Run("info", corrupt);
        var (missing, _, missingError) = CliHarness.Run("info", folder.File("none.rnnf"));

        Assert.Equal(CommandLine.UsageErrorExitCode, exitCode);
        Assert.StartsWith($"rnn: {corrupt}: checksum mismatch", Assert.Single(CliHarness.Lines(error)));
        Assert.Equal(CommandLine.UsageErrorExitCode, missing);
        Assert.Contains("there is no file", missingError);
    }
}
