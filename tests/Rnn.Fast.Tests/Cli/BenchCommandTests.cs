using System.Text.Json;
using Rnn.Fast.Cli;
using Rnn.Fast.Cli.Bench;
using Rnn.Fast.Kernels;

namespace Rnn.Fast.Tests.Cli;

/// <summary>
/// rnn bench runs the standard workloads and reports them in a form a machine can read. Nothing here judges a
/// time: only that each workload ran, that the FLOP counts are the workloads' and that the figures are consistent.
/// </summary>
public sealed class BenchCommandTests
{
    [Fact]
    public void BenchAtTheSeedConfigPrintsJsonWithEveryWorkloadItsFlopsAndTheInstructionSet()
    {
        var (exitCode, output, error) = CliHarness.Run("bench", "--config", "seed", "--json", "--time", "0.02");

        Assert.True(exitCode == CommandLine.SuccessExitCode, error);
        using JsonDocument json = JsonDocument.Parse(output);
        JsonElement root = json.RootElement;
        Assert.Equal(KernelDispatch.Active.ToString(), root.GetProperty("instructionSet").GetString());
        JsonElement[] results = [.. root.GetProperty("results").EnumerateArray()];
        Assert.Equal(["infer-sequence", "infer-step", "train-step"], results.Select(r => r.GetProperty("workload").GetString()));
        // seed: n=1, d=1, h=16, o=1, T=5. infer-sequence 2·(5·(16 + 256) + 16); infer-step 2·(16 + 256 + 16);
        // train-step 2·(2·5·16 + 14·256 + 3·16).
        Assert.Equal([2752.0, 576.0, 7584.0], results.Select(r => r.GetProperty("flops").GetDouble()));
        foreach (JsonElement r in results)
        {
            Assert.Equal("seed", r.GetProperty("config").GetString());
            double seconds = r.GetProperty("medianSeconds").GetDouble();
            Assert.True(seconds > 0);
            Assert.Equal(r.GetProperty("flops").GetDouble() / seconds / 1e9, r.GetProperty("gflops").GetDouble(), 9);
            double reference = r.GetProperty("referenceMedianSeconds").GetDouble();
            Assert.Equal(reference / seconds, r.GetProperty("speedUp").GetDouble(), 9);
        }
    }

    [Fact]
    public void TheTableNamesEveryWorkloadAndAnUnknownConfigIsAUsageError()
    {
        var (exitCode, output, _) = CliHarness.Run("bench", "--config", "seed", "--time", "0.01", "--no-reference");
        var (unknown, _, error) = CliHarness.Run("bench", "--config", "huge");

        Assert.Equal(CommandLine.SuccessExitCode, exitCode);
        foreach (string workload in new[] { "infer-sequence", "infer-step", "train-step" }) Assert.Contains($"seed     {workload}", output);
        Assert.Contains($"kernels: {KernelDispatch.Active}", output);
        Assert.Equal(CommandLine.UsageErrorExitCode, unknown);
        Assert.Contains("there is no config 'huge'", error);
    }

    [Fact]
    public void TheEmbeddedConfigsAreTheRepositorysAndDs2IsInferenceOnly()
    {
        string file = File.ReadAllText(Path.Combine(CliHarness.RepositoryRoot(), "perf", "bench-configs.json"));
        using JsonDocument json = JsonDocument.Parse(file);

        Assert.Equal(json.RootElement.GetProperty("configs").EnumerateArray().Select(c => c.GetProperty("name").GetString()), BenchConfig.All.Select(c => c.Name));
        Assert.Equal(["ds2"], BenchConfig.All.Where(c => c.InferenceOnly).Select(c => c.Name));
        Assert.Equal(2, BenchCommand.Run(BenchConfig.All.Single(c => c.Name == "ds2"), TimeSpan.Zero, reference: false).Count());
    }

    [Fact]
    public void TheReferenceIsSkippedWithANoteWhereOneCallWouldTakeSeconds()
    {
        BenchConfig large = BenchConfig.All.Single(c => c.Name == "large");

        Assert.True(WorkloadFlops.Of(BenchWorkload.InferSequence, large) / 2 > BenchCommand.MaxReferenceMultiplyAdds);
        Assert.True(WorkloadFlops.Of(BenchWorkload.TrainStep, BenchConfig.All.Single(c => c.Name == "small")) / 2 <= BenchCommand.MaxReferenceMultiplyAdds);
    }
}
