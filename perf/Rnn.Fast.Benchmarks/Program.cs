using BenchmarkDotNet.ConsoleArguments;
using BenchmarkDotNet.ConsoleArguments.ListBenchmarks;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Rnn.Fast.Benchmarks.Infrastructure;
using Rnn.Fast.Benchmarks.Probes;
using Rnn.Fast.Kernels;

// Exit codes: 0 every benchmark that ran produced a result; 1 a benchmark failed (threw, crashed, or produced no
// result) or BenchmarkDotNet reported a critical validation error; 2 a usage error (an option BenchmarkDotNet does
// not know, a filter that selects nothing, a bad probe command line).

// Stopwatch probes (see ProbeCommand): `dotnet run -c Release --project perf/Rnn.Fast.Benchmarks -- probe tanh 4096`.
if (args is ["probe", ..])
{
    return ProbeCommand.Run(args[1..], Console.Out, Console.Error);
}

// Every suite: `dotnet run -c Release --project perf/Rnn.Fast.Benchmarks -- --filter '*'` (BenchmarkDotNet options follow).
Console.WriteLine($"Rnn.Fast kernels run the {KernelDispatch.Active} path; peak FMA rate {PeakFma.MeasuredGflops:F1} GFLOP/s ({PeakFma.Width}-bit).");
// The switcher parses the options again and prints its own message for ones it rejects; this parse only tells a
// usage error from a request for help or the version, for which it also reports failure.
(bool understood, _, CommandLineOptions? options) = ConfigParser.Parse(args, NullLogger.Instance);
bool asksForHelp = args.Any(arg => arg is "--help" or "-h" or "-?" or "--version");
List<Summary> summaries = [.. BenchmarkSwitcher.FromAssembly(typeof(PeakFma).Assembly).Run(args)];
if (!understood && !asksForHelp)
{
    return Fail(2, "BenchmarkDotNet did not accept the command line (its message is above).");
}

if (summaries.Count == 0 && options is { ListBenchmarkCaseMode: ListBenchmarkCaseMode.Disabled, PrintInformation: false }
    && new[] { options.Filters, options.AnyCategories, options.AllCategories, options.AttributeNames }.Any(values => values?.Any() == true))
{
    return Fail(2, "no benchmark matches the filter.");
}

string[] failed =
[
    .. summaries.SelectMany(summary => summary.BenchmarksCases.Where(c => !summary.HasReport(c))).Select(Name),
    .. summaries.SelectMany(summary => summary.Reports).Where(r => !r.Success || r.GetResultRuns().Count == 0).Select(r => Name(r.BenchmarkCase)),
];
string[] critical = [.. summaries.SelectMany(summary => summary.ValidationErrors).Where(e => e.IsCritical).Select(e => e.Message)];
int ran = summaries.Sum(summary => summary.BenchmarksCases.Length);
var problems = new List<string>();
if (failed.Length > 0) problems.Add($"{failed.Length} of {ran} benchmarks failed: {string.Join("; ", failed)}");
if (critical.Length > 0) problems.Add($"{critical.Length} critical validation error{(critical.Length == 1 ? "" : "s")}: {string.Join("; ", critical)}");
return problems.Count > 0 ? Fail(1, string.Join("; and ", problems)) : 0;

// A benchmark case as "Type.Method [Config=large]".
static string Name(BenchmarkCase benchmark) => $"{benchmark.Descriptor.DisplayInfo} {benchmark.Parameters.DisplayInfo}".TrimEnd();

// Writes one line to stderr and returns the exit code.
static int Fail(int exitCode, string message)
{
    Console.Error.WriteLine($"Rnn.Fast.Benchmarks: {message.ReplaceLineEndings(" ")}");
    return exitCode;
}
