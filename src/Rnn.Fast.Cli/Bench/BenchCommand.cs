using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Rnn.Fast.Cli.Parsing;
using Rnn.Fast.Kernels;

namespace Rnn.Fast.Cli.Bench;

/// <summary>
/// <c>rnn bench</c>: times the standard workloads (infer-sequence, infer-step, train-step; ds2 for inference only) at
/// the standard configs on this machine, with the FMA peak measured in the same run, and prints a table (or JSON) of
/// median time, GFLOP/s, % of peak and speed-up over the double-precision reference.
/// </summary>
public static class BenchCommand
{
    /// <summary>
    /// The most multiply-adds one reference call may take before it is skipped: the reference runs a few hundred
    /// million a second, so a call above this takes about a second or more, and large and ds2 tens of seconds.
    /// </summary>
    public const double MaxReferenceMultiplyAdds = 2e8;

    /// <summary>Builds the <c>bench</c> command.</summary>
    /// <param name="setup">The console and the shared options.</param>
    public static Command Create(CommandSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        string names = string.Join(", ", BenchConfig.All.Select(c => c.Name));
        Option<IReadOnlyList<string>?> configs = CliOptions.NameList("--config", $"the configs to run, comma-separated: {names} (default: all)");
        Option<double> seconds = CliOptions.PositiveNumber("--time", "seconds of timing per workload and engine, after one warm-up call", 0.5, maximum: 600);
        var noReference = new Option<bool>("--no-reference") { Description = "time the fast engine only (no speed-up column)" };
        var json = new Option<bool>("--json") { Description = "print the results as JSON, for machines" };
        var command = new Command("bench",
            "Times the standard workloads of perf/bench-configs.json on this machine with a short timing loop (median of blocks "
            + "of calls) and prints median time, GFLOP/s (2 per multiply-add of every matrix product), % of this core's FMA peak "
            + "measured in the same run (12 independent FMA chains), and the speed-up over the double-precision reference, "
            + "which is skipped where one call would take seconds. For a careful measurement use the BenchmarkDotNet suites in perf/.")
        {
            configs, seconds, noReference, json,
        };
        setup.AddExamples(command, "rnn bench", "rnn bench --config seed,small --time 1", "rnn bench --config medium --json > bench.json");
        command.SetAction(parse =>
        {
            IReadOnlyList<BenchConfig> chosen = Choose(parse.GetValue(configs));
            TextWriter output = setup.Console.Output;
            bool asJson = parse.GetValue(json);
            var budget = TimeSpan.FromSeconds(parse.GetValue(seconds));
            double peak = PeakFmaRate.MeasureGflops();
            if (!asJson) WriteHeader(output, peak);
            var results = new List<BenchResult>();
            foreach (BenchConfig config in chosen)
            {
                foreach (BenchResult result in Run(config, budget, reference: !parse.GetValue(noReference)))
                {
                    results.Add(result);
                    if (!asJson) WriteRow(output, result, peak);
                }
            }

            if (asJson) WriteJson(output, results, peak);
            else WriteNotes(output, results);
            return CommandLine.SuccessExitCode;
        });
        return command;
    }

    /// <summary>Times every workload of <paramref name="config"/>.</summary>
    /// <param name="config">The shape.</param>
    /// <param name="budget">The timing budget per workload and engine.</param>
    /// <param name="reference">Whether to time the reference too (where it is not too slow).</param>
    public static IEnumerable<BenchResult> Run(BenchConfig config, TimeSpan budget, bool reference)
    {
        ArgumentNullException.ThrowIfNull(config);
        using var runners = new BenchRunners(config);
        BenchWorkload[] workloads = config.InferenceOnly
            ? [BenchWorkload.InferSequence, BenchWorkload.InferStep]
            : [BenchWorkload.InferSequence, BenchWorkload.InferStep, BenchWorkload.TrainStep];
        foreach (BenchWorkload workload in workloads)
        {
            double flops = WorkloadFlops.Of(workload, config);
            double fast = TimingLoop.Measure(runners.Fast(workload), budget).MedianSeconds;
            double? slow = null;
            string? note = null;
            if (!reference) note = "reference not timed (--no-reference)";
            else if (flops / 2 > MaxReferenceMultiplyAdds)
            {
                note = string.Create(CultureInfo.InvariantCulture, $"reference skipped: {flops / 2:0.0e0} multiply-adds per call, more than {MaxReferenceMultiplyAdds:0e0} (about a second or more each)");
            }
            else slow = TimingLoop.Measure(runners.Reference(workload), budget).MedianSeconds;
            yield return new BenchResult(config, workload, flops, fast, slow, note);
        }
    }

    private static IReadOnlyList<BenchConfig> Choose(IReadOnlyList<string>? names)
    {
        if (names is null) return BenchConfig.All;
        return [.. names.Select(name => BenchConfig.All.FirstOrDefault(c => c.Name == name)
            ?? throw new UsageException($"--config: there is no config '{name}'; the configs are {string.Join(", ", BenchConfig.All.Select(c => c.Name))}"))];
    }

    private static void WriteHeader(TextWriter output, double peak)
    {
        output.WriteLine($"rnn bench: {VersionAction.Lines[0]}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  kernels: {KernelDispatch.Active}; FMA peak of one core, measured now: {(double.IsNaN(peak) ? "n/a (no x64 FMA)" : $"{peak:0.0} GFLOP/s ({PeakFmaRate.Width}-bit, 12 chains)")}"));
        output.WriteLine("  a short timing loop on a possibly busy machine: a first look, not a measurement (see perf/ for BenchmarkDotNet)");
        output.WriteLine();
        output.WriteLine("  config   workload          n     d     h    o    T        median     GFLOP/s  % peak   reference   speed-up");
    }

    private static void WriteRow(TextWriter output, BenchResult r, double peak)
    {
        BenchConfig c = r.Config;
        string percent = double.IsNaN(peak) ? "n/a" : (100 * r.Gflops / peak).ToString("0.0", CultureInfo.InvariantCulture);
        string reference = r.ReferenceMedianSeconds is double s ? Time(s) : "-";
        string speedUp = r.SpeedUp is double x ? x.ToString("0.0", CultureInfo.InvariantCulture) + "x" : "-";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {c.Name,-8} {r.WorkloadName,-15} {c.BatchSize,3} {c.InputSize,5} {c.HiddenSize,5} {c.OutputSize,4} {c.SequenceLength,4}  {Time(r.MedianSeconds),12}  {r.Gflops,10:0.00}  {percent,6}  {reference,10}  {speedUp,9}"));
    }

    private static void WriteNotes(TextWriter output, IReadOnlyList<BenchResult> results)
    {
        string[] notes = [.. results.Where(r => r.Note is not null).Select(r => $"  {r.Config.Name} {r.WorkloadName}: {r.Note}")];
        if (notes.Length == 0) return;
        output.WriteLine();
        foreach (string note in notes) output.WriteLine(note);
    }

    private static string Time(double seconds) => seconds switch
    {
        < 1e-6 => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e9:0.0} ns"),
        < 1e-3 => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e6:0.00} us"),
        < 1 => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e3:0.00} ms"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds:0.00} s"),
    };

    private static void WriteJson(TextWriter output, IReadOnlyList<BenchResult> results, double peak)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("tool", $"rnn {VersionAction.ToolVersion}");
            json.WriteString("library", VersionAction.LibraryVersion);
            json.WriteString("runtime", Environment.Version.ToString());
            json.WriteString("instructionSet", KernelDispatch.Active.ToString());
            WriteNumber(json, "peakGflops", peak);
            json.WriteNumber("peakVectorBits", PeakFmaRate.Width);
            json.WriteStartArray("results");
            foreach (BenchResult r in results)
            {
                json.WriteStartObject();
                json.WriteString("config", r.Config.Name);
                json.WriteString("workload", r.WorkloadName);
                json.WriteNumber("n", r.Config.BatchSize);
                json.WriteNumber("d", r.Config.InputSize);
                json.WriteNumber("h", r.Config.HiddenSize);
                json.WriteNumber("o", r.Config.OutputSize);
                json.WriteNumber("T", r.Config.SequenceLength);
                json.WriteNumber("flops", r.Flops);
                json.WriteNumber("medianSeconds", r.MedianSeconds);
                json.WriteNumber("gflops", r.Gflops);
                WriteNumber(json, "percentOfPeak", 100 * r.Gflops / peak);
                if (r.ReferenceMedianSeconds is double s) json.WriteNumber("referenceMedianSeconds", s);
                else json.WriteNull("referenceMedianSeconds");
                if (r.SpeedUp is double x) json.WriteNumber("speedUp", x);
                else json.WriteNull("speedUp");
                if (r.Note is null) json.WriteNull("note");
                else json.WriteString("note", r.Note);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>JSON has no NaN: a number that is not finite is written as null.</summary>
    private static void WriteNumber(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(name, value);
        else json.WriteNull(name);
    }
}
