using Rnn.Fast.Cli;
using Rnn.Fast.Cli.Verify;

namespace Rnn.Fast.Tests.Cli;

/// <summary><c>rnn verify</c> prints the reference-vs-fast report for the sizes asked for, and agrees on a healthy engine.</summary>
public sealed class VerifyCommandTests
{
    [Fact]
    public void GivenSizesAreUsedAndTheReportListsEveryTensor()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        int exitCode = CommandLine.Run(["verify", "--batch", "3", "--input", "17", "--hidden", "65", "--output", "4", "--steps", "7", "--loss", "all"], output, error);

        Assert.Equal(CommandLine.SuccessExitCode, exitCode);
        Assert.Empty(error.ToString());
        string text = output.ToString();
        Assert.Contains("d=17, h=65, o=4, T=7, n=3", text);
        Assert.Contains("AllOutputsMeanSquaredError", text);
        foreach (string tensor in new[] { "outputs", "loss", "dWxh", "dWhh", "dbh", "dWho", "dbo", "dH_0", "dX" }) Assert.Contains(tensor, text);
        Assert.Contains("agree:", text);
    }

    [Fact]
    public void DrawnSizesDependOnTheSeedAndRepeat()
    {
        string Report(ulong seed)
        {
            var output = new StringWriter();
            VerifyCommand.Run(new VerifyOptions(Seed: seed), output);
            return output.ToString();
        }

        Assert.Equal(Report(5), Report(5));
        Assert.NotEqual(Report(5), Report(6));
    }

    [Fact]
    public void OnRandomShapesTheEngineAgreesWithTheReference()
    {
        for (ulong seed = 0; seed < 10; seed++)
        {
            VerificationReport report = VerifyCommand.Run(new VerifyOptions(Seed: seed), TextWriter.Null);
            Assert.True(report.Worst.RelativeError <= VerifyCommand.AgreementThreshold, report.ToString());
        }
    }
}
