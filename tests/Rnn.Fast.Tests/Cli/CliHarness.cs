using Rnn.Fast.Cli;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Cli;

/// <summary>Runs the rnn command in-process with its own writers, and finds the repository's sample data.</summary>
public static class CliHarness
{
    /// <summary>The sample series, samples/daily-demand.csv.</summary>
    public static string SampleData => Path.Combine(RepositoryRoot(), "samples", "daily-demand.csv");

    /// <summary>The committed version-1 model file, tests/Fixtures/model-files/version-1.rnnf.</summary>
    public static string Version1Fixture => Path.Combine(RepositoryRoot(), "tests", "Fixtures", "model-files", "version-1.rnnf");

    /// <summary>Runs <c>rnn</c> with <paramref name="args"/>, as into a file (no live progress).</summary>
    /// <param name="args">The arguments after the program name.</param>
    public static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = CommandLine.Run(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>The lines of <paramref name="text"/>, without empty ones.</summary>
    /// <param name="text">Text with LF or CRLF line ends.</param>
    public static string[] Lines(string text) => text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The folder that holds README.md and Rnn.Fast.sln, above the test assembly.</summary>
    public static string RepositoryRoot() => RepositoryFiles.Root();
}
