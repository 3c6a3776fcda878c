using Rnn.Fast.Compare;

namespace Rnn.Fast.Tests.Compare;

/// <summary>
/// The regression gate on canned BenchmarkDotNet reports of the recurrence GEMM at every standard config, made on
/// this machine: a baseline run, a second run of the same build, and the same build forced onto the scalar path
/// (DOTNET_EnableHWIntrinsic=0), a deliberately slowed build.
/// </summary>
public class CompareCommandTests
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "Compare", "Data");
    private static readonly string Baseline = Path.Combine(Data, "baseline-report-full.json");
    private static readonly string Rerun = Path.Combine(Data, "rerun-report-full.json");
    private static readonly string ScalarPath = Path.Combine(Data, "scalar-path-report-full.json");

    [Fact]
    public void TheSameReportAgainstItselfIsNoRegression()
    {
        (int exit, string output, _) = Run(Baseline, Baseline);
        Assert.Equal(0, exit);
        Assert.Contains("6 benchmarks compared (threshold 10%): 0 regressions, 0 faster, 6 same.", output);
    }

    [Fact]
    public void ASecondRunOfTheSameBuildIsNoRegression()
    {
        (int exit, string output, _) = Run(Baseline, Rerun);
        Assert.Equal(0, exit);
        Assert.Contains("0 regressions", output);
    }

    [Fact]
    public void TheScalarPathBuildIsFlaggedSlowerEverywhereWithExitCode1()
    {
        (int exit, string output, _) = Run(Baseline, ScalarPath);
        Assert.Equal(1, exit);
        Assert.Contains("6 regressions", output);
        var lines = BenchmarkComparison.Compare(BenchmarkReportReader.Read(Baseline), BenchmarkReportReader.Read(ScalarPath), 0.10, 0.05);
        Assert.All(lines, line => Assert.Equal(Verdict.Slower, line.Verdict));
        Assert.All(lines, line => Assert.True(line.Ratio > 5, $"{line.FullName}: ratio {line.Ratio}"));
    }

    [Fact]
    public void TheBaselineAgainstTheSlowedBuildReadsAsFaster()
    {
        var lines = BenchmarkComparison.Compare(BenchmarkReportReader.Read(ScalarPath), BenchmarkReportReader.Read(Baseline), 0.10, 0.05);
        Assert.All(lines, line => Assert.Equal(Verdict.Faster, line.Verdict));
    }

    [Fact]
    public void AllocatingWhereTheBaselineDidNotIsARegression()
    {
        string json = File.ReadAllText(Baseline);
        int at = json.IndexOf("\"BytesAllocatedPerOperation\":0", StringComparison.Ordinal);
        Assert.True(at >= 0);
        string allocating = string.Concat(json.AsSpan(0, at), "\"BytesAllocatedPerOperation\":24", json.AsSpan(at + "\"BytesAllocatedPerOperation\":0".Length));
        var lines = BenchmarkComparison.Compare(BenchmarkReportReader.Parse(json, "baseline"), BenchmarkReportReader.Parse(allocating, "current"), 0.10, 0.05);
        Assert.Single(lines, line => line.Verdict == Verdict.AllocatesMore);
        Assert.True(lines.Single(line => line.Verdict == Verdict.AllocatesMore).IsRegression);
    }

    [Fact]
    public void ASlowdownBelowTheThresholdIsSameAndOneAboveItIsSlower()
    {
        double[] baseline = [.. Enumerable.Range(0, 15).Select(i => 100.0 + (i % 5))];
        BenchmarkResult Scaled(double factor) => new("b", [.. baseline.Select(s => s * factor)], 0);
        var base_ = new BenchmarkResult("b", baseline, 0);
        Assert.Equal(Verdict.Same, BenchmarkComparison.Compare([base_], [Scaled(1.05)], 0.10, 0.05).Single().Verdict);
        Assert.Equal(Verdict.Slower, BenchmarkComparison.Compare([base_], [Scaled(1.25)], 0.10, 0.05).Single().Verdict);
        Assert.Equal(Verdict.Slower, BenchmarkComparison.Compare([base_], [Scaled(1.05)], 0.02, 0.05).Single().Verdict);
    }

    [Fact]
    public void BenchmarksInOneRunOnlyAreListedButDoNotFail()
    {
        var lines = BenchmarkComparison.Compare([new BenchmarkResult("old", [1.0], 0)], [new BenchmarkResult("new", [1.0], 0)], 0.10, 0.05);
        Assert.Equal([Verdict.Added, Verdict.Missing], lines.Select(l => l.Verdict));
        Assert.DoesNotContain(lines, l => l.IsRegression);
    }

    [Fact]
    public void MarkdownOutputIsATableWithRegressionsInBold()
    {
        (_, string output, _) = Run(Baseline, ScalarPath, "--markdown");
        Assert.StartsWith("| Benchmark | Baseline median |", output);
        Assert.Contains("| **Slower** |", output);
    }

    [Theory]
    [InlineData(new[] { "only-one.json" }, "expected two reports")]
    [InlineData(new[] { "a", "b", "--threshold", "fast" }, "--threshold needs a non-negative number")]
    [InlineData(new[] { "a", "b", "--frobnicate" }, "unknown option '--frobnicate'")]
    [InlineData(new[] { "/nonexistent/x.json", "/nonexistent/y.json" }, "No BenchmarkDotNet full JSON report")]
    public void UsageErrorsPrintOneLineAndExitWith2(string[] args, string message)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(2, CompareCommand.Run(args, output, error));
        string text = error.ToString();
        Assert.Contains(message, text);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void AFileThatIsNotAReportIsAnInputError()
    {
        string path = Path.Combine(Path.GetTempPath(), $"not-a-report-{Guid.NewGuid():N}-report-full.json");
        File.WriteAllText(path, "{\"Title\": 1}");
        try
        {
            var error = new StringWriter();
            Assert.Equal(2, CompareCommand.Run([path, path], new StringWriter(), error));
            Assert.Contains("is not a BenchmarkDotNet full JSON report", error.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = CompareCommand.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
