using Rnn.Fast.Tests.Serialization;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Cli;

/// <summary>docs/cli.md shows the help every command prints today and what its import and export examples print, and
/// the plot it shows is in the repository.</summary>
public sealed class CliDocumentationTests
{
    [Theory]
    [InlineData("")]
    [InlineData("train")]
    [InlineData("predict")]
    [InlineData("info")]
    [InlineData("bench")]
    [InlineData("demo")]
    [InlineData("verify")]
    [InlineData("import")]
    [InlineData("export")]
    public void TheWalkThroughShowsEachCommandsCurrentHelp(string command)
    {
        string[] args = command.Length == 0 ? ["--help"] : [command, "--help"];
        string help = CliHarness.Run(args).Output;
        string page = File.ReadAllText(RepositoryFiles.Path("docs/cli.md"));

        // Line ends: System.CommandLine pads wrapped lines with a space, which the page does not keep.
        string expected = $"### rnn {(command.Length == 0 ? "" : command + " ")}--help\n\n```\n{Trimmed(help)}\n```";
        Assert.Contains(expected, Trimmed(page));
    }

    /// <summary>
    /// The import and export section's commands, run in order from the repository's root as the page writes them
    /// (each model file the page names in a temporary folder), print what the page shows under each of them: standard
    /// output, or the one line of standard error for a refused file. demand.rnnf is the walk-through's model; the
    /// export's report depends on its shape and sections only, which one epoch of the same training gives.
    /// </summary>
    [Fact]
    public void TheImportAndExportExamplesShowWhatTheToolPrints()
    {
        using var folder = new TemporaryFolder();
        var (trainExit, _, trainError) = CliHarness.Run("train", "--data", CliHarness.SampleData, "--target", "demand", "--features", "temperature,demand",
            "--epochs", "1", "--no-plot", "--out", folder.File("demand.rnnf"));
        Assert.True(trainExit == 0, trainError);
        string page = Trimmed(File.ReadAllText(RepositoryFiles.Path("docs/cli.md")));
        string[] commands =
        [
            "rnn import tests/Fixtures/pytorch/prefix_dataparallel.safetensors --out model.rnnf",
            "rnn import tests/Fixtures/pytorch/bf_every.onnx --out model.rnnf",
            "rnn import tests/Fixtures/pytorch/unsupported_lstm.onnx --out model.rnnf",
            "rnn export demand.rnnf --format onnx --out demand.onnx",
            "rnn export model.rnnf --format onnx --opset 9 --outputs every --initial-state --out model-stream.onnx",
        ];

        foreach (string command in commands)
        {
            var files = new Dictionary<string, string>(StringComparer.Ordinal);
            string[] args = [.. command.Split(' ').Skip(1).Select(token =>
            {
                if (token.StartsWith("tests/", StringComparison.Ordinal)) return files[token] = RepositoryFiles.Path(token);
                if (token.EndsWith(".rnnf", StringComparison.Ordinal) || token.EndsWith(".onnx", StringComparison.Ordinal)) return files[token] = folder.File(token);
                return token;
            })];
            var (_, output, error) = CliHarness.Run(args);
            string printed = output + error;
            foreach ((string token, string path) in files.OrderByDescending(f => f.Value.Length)) printed = printed.Replace(path, token, StringComparison.Ordinal);

            Assert.Contains($"    {command}\n\n```\n{Trimmed(printed)}\n```", page);
        }
    }

    [Fact]
    public void ThePlotTheWalkThroughShowsIsCommittedAsAPng()
    {
        string page = File.ReadAllText(RepositoryFiles.Path("docs/cli.md"));
        const string image = "images/cli-train-daily-demand.png";

        Assert.Contains($"]({image})", page);
        byte[] png = File.ReadAllBytes(RepositoryFiles.Path("docs/" + image));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
    }

    private static string Trimmed(string text) =>
        string.Join('\n', text.Replace("\r", "", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd())).Trim('\n');
}
