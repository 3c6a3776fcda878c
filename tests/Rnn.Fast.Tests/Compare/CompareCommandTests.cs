using System.Text.Json.Nodes;
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
    private static readonly string CommittedBaseline = Path.Combine(Data, "zen5-avx512");

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
        var lines = BenchmarkComparison.Compare(BenchmarkReportReader.Read(Baseline).Results, BenchmarkReportReader.Read(ScalarPath).Results, 0.10, 0.05);
        Assert.All(lines, line => Assert.Equal(Verdict.Slower, line.Verdict));
        Assert.All(lines, line => Assert.True(line.Ratio > 5, $"{line.FullName}: ratio {line.Ratio}"));
    }

    [Fact]
    public void TheBaselineAgainstTheSlowedBuildReadsAsFaster()
    {
        var lines = BenchmarkComparison.Compare(BenchmarkReportReader.Read(ScalarPath).Results, BenchmarkReportReader.Read(Baseline).Results, 0.10, 0.05);
        Assert.All(lines, line => Assert.Equal(Verdict.Faster, line.Verdict));
    }

    [Fact]
    public void AllocatingWhereTheBaselineDidNotIsARegression()
    {
        string json = File.ReadAllText(Baseline);
        int at = json.IndexOf("\"BytesAllocatedPerOperation\":0", StringComparison.Ordinal);
        Assert.True(at >= 0);
        string allocating = string.Concat(json.AsSpan(0, at), "\"BytesAllocatedPerOperation\":24", json.AsSpan(at + "\"BytesAllocatedPerOperation\":0".Length));
        var lines = BenchmarkComparison.Compare(BenchmarkReportReader.Parse(json, "baseline").Results, BenchmarkReportReader.Parse(allocating, "current").Results, 0.10, 0.05);
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
    public void WithSeveralLaunchesTheTestComparesLaunchMediansNotIterations()
    {
        // Each process is tight (±0.5%) but the processes differ by ±10%, as on the development VM. Iteration by
        // iteration, launch 3 of the new run (+12%) would look like a significant slowdown; launch by launch, the new
        // run is the old one.
        static IReadOnlyList<double> Launch(double median) => [median * 0.995, median, median * 1.005, median * 1.002, median * 0.998];
        var before = new BenchmarkResult("b", [Launch(100), Launch(110), Launch(92), Launch(104), Launch(97)], 0);
        var after = new BenchmarkResult("b", [Launch(98), Launch(106), Launch(112), Launch(95), Launch(101)], 0);
        Assert.Equal([100, 110, 92, 104, 97], before.Samples);
        Assert.Equal(Verdict.Same, BenchmarkComparison.Compare([before], [after], 0.10, 0.05).Single().Verdict);
        Assert.Equal(Verdict.Slower, BenchmarkComparison.Compare([new BenchmarkResult("b", Launch(100), 0)], [new BenchmarkResult("b", Launch(112), 0)], 0.10, 0.05).Single().Verdict);

        // Five launches all 50% slower are a regression: complete separation of 5 against 5 (after the 10% stretch)
        // gives the smallest one-sided p-value, 1/C(10, 5) = 1/252.
        var slowed = new BenchmarkResult("b", [.. new[] { 100.0, 110, 92, 104, 97 }.Select(m => Launch(m * 1.5))], 0);
        BenchmarkComparison line = BenchmarkComparison.Compare([before], [slowed], 0.10, 0.05).Single();
        Assert.Equal(Verdict.Slower, line.Verdict);
        Assert.Equal(1.0 / 252, line.PValue, 1e-12);
    }

    [Fact]
    public void ThreeLaunchesAllSlowerAgainstThreeAreSlowerAtTheDefaultSignificance()
    {
        // Complete separation of 3 against 3 is the exact tail 1/C(6, 3) = 0.05: significant at p ≤ 0.05.
        var before = new BenchmarkResult("b", [[100.0, 101], [102.0, 103], [98.0, 99]], 0);
        var after = new BenchmarkResult("b", [[130.0, 131], [128.0, 129], [135.0, 134]], 0);
        BenchmarkComparison line = BenchmarkComparison.Compare([before], [after], 0.10, 0.05).Single();
        Assert.Equal(Verdict.Slower, line.Verdict);
        Assert.Equal(0.05, line.PValue, 1e-12);
    }

    [Fact]
    public void AFolderOfSeveralReportsIsOneResultPerBenchmarkWithEveryReportsLaunches()
    {
        string folder = Path.Combine(Path.GetTempPath(), "rnn-compare-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.Copy(Baseline, Path.Combine(folder, "run1-report-full.json"));
            File.Copy(Rerun, Path.Combine(folder, "run2-report-full.json"));
            var combined = BenchmarkReportReader.Read(folder).Results;
            var first = BenchmarkReportReader.Read(Baseline).Results;
            var second = BenchmarkReportReader.Read(Rerun).Results;
            Assert.Equal(first.Count, combined.Count);
            foreach (BenchmarkResult result in combined)
            {
                Assert.Equal(2, result.Launches.Count);
                Assert.Equal([first.Single(r => r.FullName == result.FullName).Median, second.Single(r => r.FullName == result.FullName).Median], result.Samples);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ABaselineFolderReadsReportFullJsonAndEveryTitledReportAndNothingElse()
    {
        string folder = Path.Combine(Path.GetTempPath(), "rnn-compare-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.Copy(Baseline, Path.Combine(folder, "report-full.json"));
            File.Copy(Rerun, Path.Combine(folder, "BenchmarkRun-joined-report-full.json"));
            File.WriteAllText(Path.Combine(folder, "notes.json"), "not a report");
            File.WriteAllText(Path.Combine(folder, "BenchmarkRun-joined-report-brief.json"), "not a full report");
            var combined = BenchmarkReportReader.Read(folder).Results;
            Assert.Equal(6, combined.Count);
            Assert.All(combined, result => Assert.Equal(2, result.Launches.Count));
            (int exit, string output, _) = Run(folder, Baseline);
            Assert.Equal(0, exit);
            Assert.Contains("6 benchmarks compared", output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void TheCommittedBaselineFolderAgainstItselfIsNoRegression()
    {
        // The documented command names the folder, not the file: perf/baselines/zen5-avx512 holds report-full.json.
        var results = BenchmarkReportReader.Read(CommittedBaseline).Results;
        Assert.Equal(37, results.Count);
        Assert.All(results, result => Assert.Equal(5, result.Launches.Count));
        (int exit, string output, string error) = Run(CommittedBaseline, CommittedBaseline);
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Contains("37 benchmarks compared (threshold 10%): 0 regressions, 0 faster, 37 same.", output);
    }

    [Fact]
    public void BenchmarksInOneRunOnlyAreListedAsAddedOrMissingNotAsRegressions()
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
    [InlineData(new[] { "a", "b", "c" }, "expected two reports (baseline and current), got 3")]
    [InlineData(new[] { "--frobnicate", "a", "b" }, "unknown option '--frobnicate'")]
    [InlineData(new[] { "a", "b", "--threshold" }, "--threshold")]
    [InlineData(new[] { "a", "b", "--significance", "1.5" }, "--significance must be between 0 and 1")]
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

    [Fact]
    public void HelpShowsEveryOptionAndAnExampleAndExitsWith0()
    {
        (int exit, string output, string error) = Run("--help");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Contains("rnn-bench-compare perf/baselines/zen5-avx512 perf/artifacts/results", output);
        Assert.All(["--threshold", "--significance", "--markdown", "--allow-missing", "--strict-environment", "Exit code"], word => Assert.Contains(word, output));
    }

    [Fact]
    public void ABaselineBenchmarkAbsentFromTheCurrentRunFailsTheGateUnlessAllowed()
    {
        using var folder = new TemporaryFolder();
        string current = folder.Write("current-report-full.json", Edit(Baseline, report => report["Benchmarks"]!.AsArray().RemoveAt(0)));
        (int exit, string output, _) = Run(Baseline, current);
        Assert.Equal(1, exit);
        Assert.Contains("6 benchmarks compared (threshold 10%): 0 regressions, 0 faster, 5 same, 1 missing.", output);
        Assert.Contains("Gate: fail: 1 missing from the current run.", output);
        Assert.Contains("Recurrence(Config: \"ds2\")", output.Split('\n').Single(line => line.TrimEnd().EndsWith("Missing", StringComparison.Ordinal)));

        (exit, output, _) = Run(Baseline, current, "--allow-missing");
        Assert.Equal(0, exit);
        Assert.Contains("Gate: pass; allowed: 1 missing from the current run (allowed by --allow-missing).", output);
    }

    [Fact]
    public void ABenchmarkThatFailedInTheCurrentRunIsReportedAsFailedAndFailsTheGate()
    {
        // BenchmarkDotNet 0.15.8 lists a benchmark that threw or crashed with "Statistics": null and no measurements.
        using var folder = new TemporaryFolder();
        string current = folder.Write("current-report-full.json", Edit(Baseline, report =>
        {
            JsonNode benchmark = report["Benchmarks"]![1]!;
            benchmark["Statistics"] = null;
            benchmark["Measurements"] = new JsonArray();
        }));
        BenchmarkResult failed = BenchmarkReportReader.Read(current).Results[1];
        Assert.False(failed.HasMeasurements);
        Assert.True(double.IsNaN(failed.Median));

        (int exit, string output, _) = Run(Baseline, current);
        Assert.Equal(1, exit);
        Assert.Contains("6 benchmarks compared (threshold 10%): 0 regressions, 0 faster, 5 same, 1 failed.", output);
        Assert.Contains("Gate: fail: 1 failed in the current run.", output);
        string row = output.Split('\n').Single(line => line.Contains("Config: \"large\"", StringComparison.Ordinal));
        Assert.Contains("failed", row);
        Assert.EndsWith("Failed", row.TrimEnd());

        (exit, _, _) = Run(Baseline, current, "--allow-missing");
        Assert.Equal(0, exit);
    }

    [Fact]
    public void MissingAndFailedAreToldApartAndBothFail()
    {
        BenchmarkResult Measured(string name) => new(name, [1.0, 1.1, 0.9], 0);
        var lines = BenchmarkComparison.Compare([Measured("gone"), Measured("broken")], [BenchmarkResult.Failed("broken"), BenchmarkResult.Failed("new and broken")], 0.10, 0.05);
        Assert.Equal([("broken", Verdict.Failed), ("gone", Verdict.Missing), ("new and broken", Verdict.Failed)], lines.Select(l => (l.FullName, l.Verdict)));
        GateDecision gate = GateDecision.Decide(lines, [], allowMissing: false, strictEnvironment: false);
        Assert.Equal(["1 missing from the current run", "2 failed in the current run"], gate.Failures);
        Assert.Equal(1, gate.ExitCode);
        Assert.True(GateDecision.Decide(lines, [], allowMissing: true, strictEnvironment: false).Passes);
    }

    [Fact]
    public void ABaselineBenchmarkWithoutMeasurementsCountsAsAbsentFromTheBaseline()
    {
        var lines = BenchmarkComparison.Compare([BenchmarkResult.Failed("b")], [new BenchmarkResult("b", [1.0], 0)], 0.10, 0.05);
        Assert.Equal(Verdict.Added, lines.Single().Verdict);
        Assert.True(GateDecision.Decide(lines, [], allowMissing: false, strictEnvironment: false).Passes);
    }

    [Fact]
    public void AReportWithStatisticsButNoMeasurementsIsAnInputError()
    {
        using var folder = new TemporaryFolder();
        string current = folder.Write("brief-report-full.json", Edit(Baseline, report =>
        {
            foreach (JsonNode? benchmark in report["Benchmarks"]!.AsArray()) benchmark!.AsObject().Remove("Measurements");
        }));
        (int exit, _, string error) = Run(Baseline, current);
        Assert.Equal(2, exit);
        Assert.Contains("has statistics but no measurements", error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void ADifferentMachineAndRuntimeIsAWarningNamingTheFieldsAndFailsUnderStrictEnvironment()
    {
        using var folder = new TemporaryFolder();
        string current = folder.Write("other-machine-report-full.json", Edit(Baseline, report =>
        {
            report["HostEnvironmentInfo"]!["ProcessorName"] = "Intel(R) Xeon(R) Platinum 8488C";
            report["HostEnvironmentInfo"]!["LogicalCoreCount"] = 4;
            report["HostEnvironmentInfo"]!["RuntimeVersion"] = ".NET 10.0.13 (10.0.13, 10.0.1326.1)";
        }));
        (int exit, string output, string error) = Run(Baseline, current);
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Contains("warning: the baseline and the current run were measured on a different machine or runtime", output);
        Assert.Contains("ProcessorName: baseline 'AMD EPYC', current 'Intel(R) Xeon(R) Platinum 8488C'", output);
        Assert.Contains("LogicalCoreCount: baseline '2', current '4'", output);
        Assert.Contains("RuntimeVersion: baseline '.NET 10.0.12 (10.0.12, 10.0.1226.42308)', current '.NET 10.0.13 (10.0.13, 10.0.1326.1)'", output);
        Assert.DoesNotContain("OsVersion", output);
        Assert.Contains("Gate: pass; allowed: a different environment (fails only with --strict-environment).", output);

        (exit, output, _) = Run(Baseline, current, "--strict-environment");
        Assert.Equal(1, exit);
        Assert.Contains("Gate: fail: a different environment (--strict-environment).", output);
    }

    [Fact]
    public void TheScalarPathRunDiffersInItsInstructionSets()
    {
        // DOTNET_EnableHWIntrinsic=0 leaves the process no instruction-set extension: BenchmarkDotNet records none.
        var differences = BenchmarkReportReader.Read(ScalarPath).Environment.DifferencesFrom(BenchmarkReportReader.Read(Baseline).Environment);
        EnvironmentDifference difference = Assert.Single(differences);
        Assert.Equal(RunEnvironment.HardwareIntrinsicsField, difference.Field);
        Assert.StartsWith("AVX512", difference.Baseline.Single(), StringComparison.Ordinal);
        Assert.Equal([""], difference.Current);
        (_, string output, _) = Run(Baseline, ScalarPath);
        Assert.Contains("HardwareIntrinsics: baseline 'AVX512", output);
        Assert.Contains("current (none)", output);
    }

    [Fact]
    public void RunsOnTheSameMachineAndRuntimePrintNoWarning()
    {
        (_, string output, _) = Run(Baseline, Rerun, "--strict-environment");
        Assert.DoesNotContain("warning", output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Gate: pass.", output);
    }

    private static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = CompareCommand.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>The canned report at <paramref name="path"/> with <paramref name="edit"/> applied to its JSON.</summary>
    private static string Edit(string path, Action<JsonNode> edit)
    {
        JsonNode report = JsonNode.Parse(File.ReadAllText(path))!;
        edit(report);
        return report.ToJsonString();
    }

    /// <summary>A folder under the temporary directory, deleted with everything in it on Dispose.</summary>
    private sealed class TemporaryFolder : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rnn-compare-" + Guid.NewGuid().ToString("N"));

        public TemporaryFolder() => Directory.CreateDirectory(Path);

        public string Write(string name, string text)
        {
            string file = System.IO.Path.Combine(Path, name);
            File.WriteAllText(file, text);
            return file;
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
