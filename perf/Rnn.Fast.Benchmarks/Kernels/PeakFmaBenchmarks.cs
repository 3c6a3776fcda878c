using BenchmarkDotNet.Attributes;
using Rnn.Fast.Benchmarks.Infrastructure;

namespace Rnn.Fast.Benchmarks.Kernels;

/// <summary>The ceiling every GEMM figure is measured against: 12 independent FMA chains, nothing else.</summary>
[Config(typeof(KernelBenchmarkConfig))]
public class PeakFmaBenchmarks : IFlopCount
{
    private const long Iterations = 1_000_000;

    /// <summary>One million iterations of 12 independent vector FMAs on the widest path.</summary>
    [Benchmark]
    public float TwelveChains() => PeakFma.Run(Iterations);

    /// <inheritdoc/>
    public double FlopsPerInvoke(string benchmarkMethod) => Iterations * Infrastructure.PeakFma.FlopsPerIteration;
}
