using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Rnn.Fast.Benchmarks.Probes;

/// <summary>
/// The command line of the Stopwatch probes (<see cref="StopwatchProbes"/>), the words after <c>probe</c>:
/// <c>tanh LENGTH</c>, <c>infer-step CONFIG</c>, <c>train-step CONFIG</c>, <c>gemm CONFIG</c>,
/// <c>first-steps CONFIG [CALLS]</c>, <c>shapes [SECTION]</c> and <c>parallel-threshold</c>, each with <c>--help</c> and an example. Exit code 0 after a probe or the help,
/// 2 on a usage error (one line on stderr).
/// </summary>
public static partial class ProbeCommand
{
    /// <summary>The exit code of a usage error.</summary>
    public const int UsageErrorExitCode = 2;

    private const string Invocation = "dotnet run -c Release --project perf/Rnn.Fast.Benchmarks -- probe";

    /// <summary>Parses <paramref name="args"/> (the words after <c>probe</c>) and runs the probe they name; returns the exit code.</summary>
    /// <param name="args">The command line after the word <c>probe</c>.</param>
    /// <param name="output">Where the help goes (a probe prints its figures to the console).</param>
    /// <param name="error">Where a usage error goes, as one line.</param>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        string[] configs = [.. BenchmarkConfig.All.Select(c => c.Name)];
        Argument<string> Config() => new Argument<string>("CONFIG")
        {
            HelpName = "CONFIG",
            Description = $"A standard shape from perf/bench-configs.json: {string.Join(", ", configs)}.",
        }.AcceptOnlyFromAmong(configs);

        var length = new Argument<int>("LENGTH")
        {
            Description = "How many values each call computes (the suite's data, uniform in [-4, 4)).",
            CustomParser = result => ParseAtLeast(result, "LENGTH", 1),
        };
        var tanh = new Command("tanh", "Our tanh against TensorPrimitives.Tanh on LENGTH values, in alternating blocks in one process: " +
            "3 s of warm-up each, then 21 rounds of one ~20 ms block each; prints both medians and the per-round ratio.") { length };
        tanh.SetAction(parsed => StopwatchProbes.CompareTanh(parsed.GetValue(length)));

        Argument<string> inferConfig = Config(), trainConfig = Config(), gemmConfig = Config(), firstConfig = Config();
        var inferStep = new Command("infer-step", "The streaming step of InferStepBenchmarks (fast engine, carried state): " +
            "3 s of warm-up, then the median of 31 blocks of ~20 ms.") { inferConfig };
        inferStep.SetAction(parsed => StopwatchProbes.MeasureInferStep(parsed.GetRequiredValue(inferConfig)));

        var trainStep = new Command("train-step", "The training step of TrainStepBenchmarks (fast engine): 3 s of warm-up, " +
            "then the median of 31 blocks of ~20 ms.") { trainConfig };
        trainStep.SetAction(parsed => StopwatchProbes.MeasureTrainStep(parsed.GetRequiredValue(trainConfig)));

        var gemm = new Command("gemm", "The products of GemmBenchmarks as a percentage of the peak FMA rate measured in the same " +
            "round (~20 ms just before them), 15 rounds, medians: a slow spell of the host lowers the peak and the products alike.") { gemmConfig };
        gemm.SetAction(parsed => StopwatchProbes.MeasureGemm(parsed.GetRequiredValue(gemmConfig)));

        var calls = new Argument<int>("CALLS")
        {
            Description = $"How many calls to time, at least {StopwatchProbes.MinimumFirstStepCalls}.",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => StopwatchProbes.DefaultFirstStepCalls,
            CustomParser = result => ParseAtLeast(result, "CALLS", StopwatchProbes.MinimumFirstStepCalls),
        };
        var firstSteps = new Command("first-steps", "The streaming step of InferStepBenchmarks from the first call of a fresh " +
            "process, each call timed on its own; prints the first call and the median of each window of calls, which shows how " +
            "long tiered compilation keeps the step on unoptimized code. Run it as its own command: a process that has already " +
            "made steps measures nothing new.") { firstConfig, calls };
        firstSteps.SetAction(parsed => StopwatchProbes.MeasureFirstSteps(parsed.GetRequiredValue(firstConfig), parsed.GetValue(calls)));

        var section = new Argument<string>("SECTION")
        {
            Description = $"Which shapes: {string.Join(", ", ShapeProbes.Sections)} (the default).",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => "all",
        }.AcceptOnlyFromAmong(ShapeProbes.Sections);
        var shapes = new Command("shapes", "The acceptance shapes, round-robin in one process: the streaming step at n = 1 … 16 (d = 64, " +
            "h = 192, o = 16), remainder widths at n = 1 and 4 (d = 40, o = 8, h = 96 … 200), the small models (seed, stream) and " +
            "medium and large on 1, 2 and all processors; each subject warmed up, then 15 rounds of one ~10 ms block each; prints " +
            "medians, GFLOP/s and the ratios the criteria name.") { section };
        shapes.SetAction(parsed => ShapeProbes.MeasureShapes(parsed.GetValue(section)!));

        var threshold = new Command("parallel-threshold", "A recurrence step's product (n rows by an h×h pack, tanh stored) at 2^16 " +
            "to 2^24 multiply-adds on 1 thread and on 2 (or every processor), every product split: where the speed-up crosses 1 is " +
            "where splitting pays, the measurement behind the engine's threshold.");
        threshold.SetAction(_ => ShapeProbes.MeasureParallelThreshold());

        var help = new HelpOption();
        var probe = new Command("probe", "Stopwatch measurements for a noisy shared host: two contenders in alternating blocks " +
            "in one process, or one workload in many short blocks with the median reported. A cross-check of the " +
            "BenchmarkDotNet suites, not a replacement.")
        {
            tanh, inferStep, trainStep, gemm, firstSteps, shapes, threshold, help,
        };
        help.Action = new HelpWithExample((HelpAction)help.Action!, new Dictionary<Command, string>
        {
            [probe] = "gemm large",
            [tanh] = "tanh 4096",
            [inferStep] = "infer-step stream",
            [trainStep] = "train-step medium",
            [gemm] = "gemm large",
            [firstSteps] = "first-steps stream 300000",
            [shapes] = "shapes streams",
            [threshold] = "parallel-threshold",
        });

        ParseResult parsed = probe.Parse(args);
        if (parsed.Action is not HelpWithExample && parsed.Errors.Count > 0)
        {
            string message = string.Join(" ", parsed.Errors.Select(e => e.Message).Distinct());
            error.WriteLine($"probe: {Whitespace().Replace(message, " ")}");
            return UsageErrorExitCode;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    private static int ParseAtLeast(ArgumentResult result, string name, int minimum)
    {
        string text = result.Tokens.Single().Value;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < minimum)
        {
            result.AddError($"{name} must be a whole number of at least {minimum}, not '{text}'.");
        }

        return value;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>The standard help, then an example command line for the command it describes.</summary>
    private sealed class HelpWithExample(HelpAction standard, IReadOnlyDictionary<Command, string> examples) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            int exitCode = standard.Invoke(parseResult);
            if (examples.TryGetValue(parseResult.CommandResult.Command, out string? example))
            {
                parseResult.InvocationConfiguration.Output.WriteLine($"Example:{Environment.NewLine}  {Invocation} {example}{Environment.NewLine}");
            }

            return exitCode;
        }
    }
}
