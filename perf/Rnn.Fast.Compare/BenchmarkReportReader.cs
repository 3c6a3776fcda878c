using System.Text.Json;

namespace Rnn.Fast.Compare;

/// <summary>
/// Reads BenchmarkDotNet full JSON reports (<c>--exporters fulljson</c>): the files BenchmarkDotNet names
/// *-report-full.json, and a committed baseline's report-full.json.
/// </summary>
public static class BenchmarkReportReader
{
    /// <summary>The file name of a committed baseline's report; BenchmarkDotNet's own files end with "-" and this name.</summary>
    public const string ReportFileName = "report-full.json";

    /// <summary>
    /// Reads one report file, or every report below a folder (a BenchmarkDotNet artifacts folder or a committed
    /// baseline folder): files named report-full.json or *-report-full.json. A benchmark found in several files is one
    /// result whose launches are those of every file: a baseline folder holding several runs of the suite carries
    /// their run-to-run spread.
    /// </summary>
    /// <exception cref="FileNotFoundException">The path names neither a file nor a folder holding reports.</exception>
    /// <exception cref="InvalidDataException">A file is not a full JSON report.</exception>
    public static BenchmarkRun Read(string path)
    {
        string[] files = Directory.Exists(path)
            ? [.. Directory.EnumerateFiles(path, "*" + ReportFileName, SearchOption.AllDirectories).Where(IsReportFile)]
            : File.Exists(path) ? [path] : [];
        if (files.Length == 0)
        {
            throw new FileNotFoundException($"No BenchmarkDotNet full JSON report ({ReportFileName} or *-{ReportFileName}) at '{path}'.", path);
        }

        var results = new List<BenchmarkResult>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var environment = new RunEnvironment();
        foreach (string file in files.Order(StringComparer.Ordinal))
        {
            BenchmarkRun run = Parse(File.ReadAllText(file), file);
            environment.RecordAll(run.Environment);
            foreach (BenchmarkResult result in run.Results)
            {
                if (index.TryGetValue(result.FullName, out int i))
                {
                    results[i] = results[i].CombinedWith(result);
                }
                else
                {
                    index[result.FullName] = results.Count;
                    results.Add(result);
                }
            }
        }

        return new BenchmarkRun(results, environment);
    }

    /// <summary>
    /// Parses the text of one full JSON report. A benchmark listed without statistics or measurements (BenchmarkDotNet's
    /// record of one that threw or crashed) is a result with no launches.
    /// </summary>
    /// <exception cref="InvalidDataException">The text is not a full JSON report.</exception>
    public static BenchmarkRun Parse(string json, string source)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            var results = new List<BenchmarkResult>();
            var environment = new RunEnvironment();
            if (document.RootElement.TryGetProperty("HostEnvironmentInfo", out JsonElement host) && host.ValueKind == JsonValueKind.Object)
            {
                environment.RecordHost(host);
            }

            foreach (JsonElement benchmark in document.RootElement.GetProperty("Benchmarks").EnumerateArray())
            {
                string fullName = benchmark.GetProperty("FullName").GetString()
                    ?? throw new InvalidDataException($"{source}: a benchmark has no FullName.");
                if (benchmark.TryGetProperty(RunEnvironment.HardwareIntrinsicsField, out JsonElement intrinsics) && intrinsics.ValueKind == JsonValueKind.String)
                {
                    environment.Record(RunEnvironment.HardwareIntrinsicsField, intrinsics.GetString()!.Trim());
                }

                var launches = new SortedDictionary<int, List<double>>();
                if (benchmark.TryGetProperty("Measurements", out JsonElement measurements) && measurements.ValueKind == JsonValueKind.Array)
                {
                    foreach (JsonElement m in measurements.EnumerateArray())
                    {
                        if (m.GetProperty("IterationMode").GetString() == "Workload" && m.GetProperty("IterationStage").GetString() == "Result")
                        {
                            int launch = m.TryGetProperty("LaunchIndex", out JsonElement l) ? l.GetInt32() : 1;
                            if (!launches.TryGetValue(launch, out List<double>? samples)) launches[launch] = samples = [];
                            samples.Add(m.GetProperty("Nanoseconds").GetDouble() / m.GetProperty("Operations").GetDouble());
                        }
                    }
                }

                if (launches.Count == 0)
                {
                    // BenchmarkDotNet writes a benchmark that threw or crashed with null statistics and no measurements.
                    // Statistics without measurements is a report exported without them, which cannot be compared.
                    if (benchmark.TryGetProperty("Statistics", out JsonElement statistics) && statistics.ValueKind == JsonValueKind.Object)
                    {
                        throw new InvalidDataException($"{source}: {fullName} has statistics but no measurements (export with --exporters fulljson).");
                    }

                    results.Add(BenchmarkResult.Failed(fullName));
                    continue;
                }

                long? allocated = benchmark.TryGetProperty("Memory", out JsonElement memory) && memory.ValueKind == JsonValueKind.Object
                    && memory.TryGetProperty("BytesAllocatedPerOperation", out JsonElement bytes) && bytes.ValueKind == JsonValueKind.Number
                    ? bytes.GetInt64()
                    : null;
                results.Add(new BenchmarkResult(fullName, [.. launches.Values], allocated));
            }

            return new BenchmarkRun(results, environment);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{source} is not a BenchmarkDotNet full JSON report: {e.Message}", e);
        }
    }

    /// <summary>Whether a file in a folder is a report: report-full.json itself, or BenchmarkDotNet's TITLE-report-full.json.</summary>
    private static bool IsReportFile(string file)
    {
        string name = Path.GetFileName(file);
        return name == ReportFileName || name.EndsWith("-" + ReportFileName, StringComparison.Ordinal);
    }
}
