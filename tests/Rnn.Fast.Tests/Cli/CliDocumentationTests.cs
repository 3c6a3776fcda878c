using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Cli;

/// <summary>docs/cli.md shows the help every command prints today, and the plot it shows is in the repository.</summary>
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
