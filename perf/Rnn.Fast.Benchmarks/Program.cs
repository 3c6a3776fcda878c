using BenchmarkDotNet.Running;

// Entry point for every suite: `dotnet run -c Release --project perf/Rnn.Fast.Benchmarks -- --filter '*'`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
