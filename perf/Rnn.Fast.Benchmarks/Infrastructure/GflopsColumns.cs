using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Parameters;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Rnn.Fast.Benchmarks.Infrastructure;

/// <summary>
/// GFLOP/s from the median time and the benchmark's own <see cref="IFlopCount"/>, and that rate as a percentage of
/// <see cref="PeakFma.MeasuredGflops"/> (measured in the host process, on the same instruction-set path, same run).
/// </summary>
public sealed class GflopsColumn(bool percentOfPeak) : IColumn
{
    /// <inheritdoc/>
    public string Id => percentOfPeak ? "PercentOfPeak" : "Gflops";

    /// <inheritdoc/>
    public string ColumnName => percentOfPeak ? "% of peak" : "GFLOP/s";

    /// <inheritdoc/>
    public bool AlwaysShow => true;

    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc/>
    public int PriorityInCategory => percentOfPeak ? 1 : 0;

    /// <inheritdoc/>
    public bool IsNumeric => true;

    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc/>
    public string Legend => percentOfPeak
        ? "GFLOP/s as a percentage of this core's peak FMA rate, measured in the same run"
        : "Floating-point operations per second (an FMA counts 2), from the median time";

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? median = summary[benchmarkCase]?.ResultStatistics?.Median;
        double flops = FlopsOf(benchmarkCase);
        if (median is not > 0 || flops <= 0) return "-";
        double gflops = flops / median.Value; // operations per nanosecond = GFLOP/s
        return percentOfPeak ? $"{100 * gflops / PeakFma.MeasuredGflops:F1}%" : $"{gflops:F1}";
    }

    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    private static double FlopsOf(BenchmarkCase benchmarkCase)
    {
        Type type = benchmarkCase.Descriptor.Type;
        if (!typeof(IFlopCount).IsAssignableFrom(type)) return 0;
        var instance = (IFlopCount)Activator.CreateInstance(type)!;
        foreach (ParameterInstance parameter in benchmarkCase.Parameters.Items)
        {
            type.GetProperty(parameter.Name)?.SetValue(instance, parameter.Value);
            type.GetField(parameter.Name)?.SetValue(instance, parameter.Value);
        }

        return instance.FlopsPerInvoke(benchmarkCase.Descriptor.WorkloadMethod.Name);
    }
}
