using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;

namespace Rnn.Fast.Benchmarks.Infrastructure;

/// <summary>Kernel suites: median time, allocated bytes (must be 0), GFLOP/s and % of the measured peak.</summary>
public sealed class KernelBenchmarkConfig : ManualConfig
{
    /// <summary>Adds the columns and the memory diagnoser to the default job.</summary>
    public KernelBenchmarkConfig()
    {
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median);
        AddColumn(new GflopsColumn(percentOfPeak: false), new GflopsColumn(percentOfPeak: true));
    }
}
