using BenchmarkDotNet.Running;
using Rnn.Fast.Benchmarks.Infrastructure;
using Rnn.Fast.Benchmarks.Probes;
using Rnn.Fast.Kernels;

// Stopwatch probes (see ProbeCommand): `dotnet run -c Release --project perf/Rnn.Fast.Benchmarks -- probe tanh 4096`.
if (args is ["probe", ..])
{
    return ProbeCommand.Run(args[1..], Console.Out, Console.Error);
}

// Every suite: `dotnet run -c Release --project perf/Rnn.Fast.Benchmarks -- --filter '*'` (BenchmarkDotNet options follow).
Console.WriteLine($"Rnn.Fast kernels run the {KernelDispatch.Active} path; peak FMA rate {PeakFma.MeasuredGflops:F1} GFLOP/s ({PeakFma.Width}-bit).");
BenchmarkSwitcher.FromAssembly(typeof(PeakFma).Assembly).Run(args);
return 0;
