using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;

namespace Rnn.Fast.Benchmarks.Infrastructure;

/// <summary>
/// Engine suites: the fast engine against the reference (the baseline of each workload and config, so the Ratio
/// column is the speed-up), median time, allocated bytes (the fast engine's must be 0), GFLOP/s and % of peak.
/// </summary>
public sealed class EngineBenchmarkConfig : ManualConfig
{
    /// <summary>Adds the columns, the memory diagnoser and one baseline per config to the default job.</summary>
    public EngineBenchmarkConfig()
    {
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median);
        AddColumn(new GflopsColumn(percentOfPeak: false), new GflopsColumn(percentOfPeak: true));
        // A baseline per config: each config's fast method is compared with that config's reference.
        AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByParams, BenchmarkLogicalGroupRule.ByCategory);
    }
}
