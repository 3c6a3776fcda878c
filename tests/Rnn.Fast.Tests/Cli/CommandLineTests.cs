using Rnn.Fast.Cli;

namespace Rnn.Fast.Tests.Cli;

/// <summary>
/// The command line's contract: help lists the commands, and every mistake gives exit code 2 with one line on
/// standard error that names the problem (no stack trace, nothing on standard output).
/// </summary>
public sealed class CommandLineTests
{
    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = CommandLine.Run(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("help")]
    [InlineData("-h")]
    public void HelpListsEveryCommandAndSucceeds(string argument)
    {
        var (exitCode, output, error) = Run(argument);

        Assert.Equal(CommandLine.SuccessExitCode, exitCode);
        Assert.Contains("demo", output);
        Assert.Contains("verify", output);
        Assert.Contains("help", output);
        foreach (string command in new[] { "train", "predict", "info", "bench", "import", "export" }) Assert.Contains(command, output);
        Assert.Empty(error);
    }

    [Theory]
    [InlineData("demo", "rnn demo")]
    [InlineData("verify", "rnn verify")]
    [InlineData("train", "rnn train --data samples/daily-demand.csv")]
    [InlineData("predict", "rnn predict --model")]
    [InlineData("info", "rnn info demand.rnnf")]
    [InlineData("bench", "rnn bench --config")]
    [InlineData("import", "rnn import model.safetensors")]
    [InlineData("export", "rnn export demand.rnnf")]
    public void EveryCommandsHelpEndsWithExamples(string command, string example)
    {
        var (exitCode, output, error) = Run(command, "--help");
        var (helpExitCode, helpOutput, _) = Run("help", command);

        Assert.Equal(CommandLine.SuccessExitCode, exitCode);
        Assert.Empty(error);
        Assert.Contains($"Usage:\n  rnn {command}", output.Replace("\r", ""));
        Assert.Contains("Examples:", output);
        Assert.Contains(example, output[output.IndexOf("Examples:", StringComparison.Ordinal)..]);
        Assert.Equal(CommandLine.SuccessExitCode, helpExitCode);
        Assert.Equal(output, helpOutput);
    }

    [Theory]
    [InlineData("")]
    [InlineData("demo")]
    [InlineData("verify")]
    [InlineData("train")]
    [InlineData("predict")]
    [InlineData("info")]
    [InlineData("bench")]
    [InlineData("import")]
    [InlineData("export")]
    public void EveryExampleInTheHelpIsACommandLineTheParserAccepts(string command)
    {
        string help = Run(command.Length == 0 ? ["--help"] : [command, "--help"]).Output.Replace("\r", "");
        string[] examples = [.. help[(help.IndexOf("Examples:\n", StringComparison.Ordinal) + 10)..].Split('\n', StringSplitOptions.RemoveEmptyEntries)];

        Assert.NotEmpty(examples);
        foreach (string example in examples)
        {
            // The command line itself: what precedes a pipe or a redirection, without the program's name.
            string line = example.Trim().Split('|', '>')[0].Trim();
            Assert.StartsWith("rnn ", line);
            System.CommandLine.ParseResult parse = CommandLine.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]);
            Assert.True(parse.Errors.Count == 0, $"'{example}': {string.Join("; ", parse.Errors.Select(e => e.Message))}");
        }
    }

    [Fact]
    public void VersionPrintsTheVersionAndTheInstructionSetInUse()
    {
        var (exitCode, output, error) = Run("--version");

        Assert.Equal(CommandLine.SuccessExitCode, exitCode);
        Assert.Empty(error);
        Assert.StartsWith("rnn 0.1.0", output);
        Assert.Contains($"instruction set: {Rnn.Fast.Kernels.KernelDispatch.Active}", output);
    }

    [Fact]
    public void VerboseAddsTheExceptionsDetailToTheError()
    {
        var (exitCode, _, error) = Run("info", "--verbose", "no-such-file.rnnf");
        var (quietExitCode, _, quietError) = Run("info", "no-such-file.rnnf");

        Assert.Equal(CommandLine.UsageErrorExitCode, exitCode);
        Assert.Contains("UsageException", error);
        Assert.Contains("   at ", error);
        Assert.Equal(CommandLine.UsageErrorExitCode, quietExitCode);
        Assert.Equal("rnn: there is no file 'no-such-file.rnnf'", Assert.Single(quietError.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void DemoHelpListsEveryOption()
    {
        var (exitCode, output, _) = Run("demo", "--help");

        Assert.Equal(CommandLine.SuccessExitCode, exitCode);
        foreach (string option in new[] { "--seed", "--epochs", "--learning-rate", "--hidden", "--engine" }) Assert.Contains(option, output);
    }

    [Fact]
    public void VerifyHelpListsEveryOption()
    {
        var (exitCode, output, _) = Run("verify", "--help");

        Assert.Equal(CommandLine.SuccessExitCode, exitCode);
        foreach (string option in new[] { "--seed", "--batch", "--input", "--hidden", "--output", "--steps", "--loss" }) Assert.Contains(option, output);
    }

    [Theory]
    [InlineData(new[] { "demo", "--epochs", "-3" }, "--epochs", "-3")]
    [InlineData(new[] { "demo", "--epochs", "0" }, "--epochs", "'0'")]
    [InlineData(new[] { "demo", "--epochs=2.5" }, "--epochs", "2.5")]
    [InlineData(new[] { "demo", "--frobnicate" }, "unknown option", "--frobnicate")]
    [InlineData(new[] { "demo", "--hidden", "abc" }, "--hidden", "abc")]
    [InlineData(new[] { "demo", "--hidden", "0" }, "--hidden", "'0'")]
    [InlineData(new[] { "demo", "--seed", "-1" }, "--seed", "-1")]
    [InlineData(new[] { "demo", "--learning-rate", "fast" }, "--learning-rate", "fast")]
    [InlineData(new[] { "demo", "--learning-rate", "-0.1" }, "--learning-rate", "-0.1")]
    [InlineData(new[] { "demo", "--learning-rate", "NaN" }, "--learning-rate", "NaN")]
    [InlineData(new[] { "demo", "--seed" }, "--seed", "needs a value")]
    [InlineData(new[] { "demo", "--engine", "gpu" }, "--engine", "gpu")]
    [InlineData(new[] { "verify", "--hidden", "0" }, "--hidden", "'0'")]
    [InlineData(new[] { "verify", "--steps", "x" }, "--steps", "x")]
    [InlineData(new[] { "verify", "--batch", "5000" }, "--batch", "5000")]
    [InlineData(new[] { "verify", "--loss", "some" }, "--loss", "some")]
    [InlineData(new[] { "verify", "--frobnicate" }, "unknown option", "--frobnicate")]
    [InlineData(new[] { "verify", "--output" }, "--output", "needs a value")]
    [InlineData(new[] { "verify", "--hidden", "4096", "--steps", "4096" }, "multiply-adds", "smaller")]
    [InlineData(new[] { "frobnicate" }, "unknown command", "frobnicate")]
    [InlineData(new[] { "train" }, "--data", "required")]
    [InlineData(new[] { "train", "--data", "x.csv", "--target", "y", "--validation", "1" }, "--validation", "'1'")]
    [InlineData(new[] { "train", "--data", "x.csv", "--target", "y", "--features", "a,,b" }, "--features", "a,,b")]
    [InlineData(new[] { "train", "--data", "x.csv", "--target", "y", "--clip", "1", "--no-clip" }, "--clip", "--no-clip")]
    [InlineData(new[] { "predict", "--model", "m.rnnf", "--data", "x.csv", "--horizon", "0" }, "--horizon", "'0'")]
    [InlineData(new[] { "info" }, "info needs", "MODEL")]
    [InlineData(new[] { "bench", "--time", "-1" }, "--time", "-1")]
    [InlineData(new string[0], "no command", "--help")]
    public void AMistakeGivesExitCodeTwoAndOneLineNamingIt(string[] args, string mentioned, string alsoMentioned)
    {
        var (exitCode, output, error) = Run(args);

        Assert.Equal(CommandLine.UsageErrorExitCode, exitCode);
        Assert.Empty(output);
        string line = Assert.Single(error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("rnn: ", line);
        Assert.Contains(mentioned, line);
        Assert.Contains(alsoMentioned, line);
        Assert.DoesNotContain("   at ", error); // no stack trace
    }

    [Fact]
    public void ADivergingDemoFailsWithExitCodeOneAndSaysWhatToChange()
    {
        // Learning rate 0.6 overshoots from seed 1 within a few hundred steps; 400 bounds the run.
        var (exitCode, _, error) = Run("demo", "--learning-rate", "0.6", "--epochs", "400");

        Assert.Equal(CommandLine.FailureExitCode, exitCode);
        string line = Assert.Single(error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("diverged", line);
        Assert.Contains("--learning-rate", line);
    }
}
