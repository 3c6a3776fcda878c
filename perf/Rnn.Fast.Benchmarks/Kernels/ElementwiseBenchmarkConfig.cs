using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;

namespace Rnn.Fast.Benchmarks.Kernels;

/// <summary>Adds ns/element, GB/s and the memory diagnoser (which must show 0 B) to the elementwise suites.</summary>
public sealed class ElementwiseBenchmarkConfig : ManualConfig
{
    public ElementwiseBenchmarkConfig()
    {
        AddColumn(new NanosecondsPerElementColumn(gigabytesPerSecond: false), new NanosecondsPerElementColumn(gigabytesPerSecond: true));
        AddDiagnoser(MemoryDiagnoser.Default);
        HideColumns("Error", "StdDev", "RatioSD");
    }
}
