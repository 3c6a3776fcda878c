using System.Text.Json;

namespace Rnn.Fast.Compare;

/// <summary>Reads BenchmarkDotNet full JSON reports (<c>--exporters fulljson</c>: files named *-report-full.json).</summary>
public static class BenchmarkReportReader
{
    /// <summary>
    /// Reads one report file, or every *-report-full.json below a folder (a BenchmarkDotNet artifacts folder or a
    /// committed baseline folder).
    /// </summary>
    /// <exception cref="FileNotFoundException">The path names neither a file nor a folder holding reports.</exception>
    /// <exception cref="InvalidDataException">A file is not a full JSON report.</exception>
    public static IReadOnlyList<BenchmarkResult> Read(string path)
    {
        string[] files = Directory.Exists(path)
            ? Directory.GetFiles(path, "*-report-full.json", SearchOption.AllDirectories)
            : File.Exists(path) ? [path] : [];
        if (files.Length == 0)
        {
            throw new FileNotFoundException($"No BenchmarkDotNet full JSON report (*-report-full.json) at '{path}'.", path);
        }

        var results = new List<BenchmarkResult>();
        foreach (string file in files.Order(StringComparer.Ordinal))
        {
            results.AddRange(Parse(File.ReadAllText(file), file));
        }

        return results;
    }

    /// <summary>Parses the text of one full JSON report.</summary>
    /// <exception cref="InvalidDataException">The text is not a full JSON report.</exception>
    public static IReadOnlyList<BenchmarkResult> Parse(string json, string source)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            var results = new List<BenchmarkResult>();
            foreach (JsonElement benchmark in document.RootElement.GetProperty("Benchmarks").EnumerateArray())
            {
                string fullName = benchmark.GetProperty("FullName").GetString()
                    ?? throw new InvalidDataException($"{source}: a benchmark has no FullName.");
                var samples = new List<double>();
                if (benchmark.TryGetProperty("Measurements", out JsonElement measurements))
                {
                    foreach (JsonElement m in measurements.EnumerateArray())
                    {
                        if (m.GetProperty("IterationMode").GetString() == "Workload" && m.GetProperty("IterationStage").GetString() == "Result")
                        {
                            samples.Add(m.GetProperty("Nanoseconds").GetDouble() / m.GetProperty("Operations").GetDouble());
                        }
                    }
                }

                if (samples.Count == 0)
                {
                    continue; // a benchmark that failed to run has no measurements: nothing to compare
                }

                long? allocated = benchmark.TryGetProperty("Memory", out JsonElement memory) && memory.ValueKind == JsonValueKind.Object
                    ? memory.GetProperty("BytesAllocatedPerOperation").GetInt64()
                    : null;
                results.Add(new BenchmarkResult(fullName, samples, allocated));
            }

            return results;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{source} is not a BenchmarkDotNet full JSON report: {e.Message}", e);
        }
    }
}
