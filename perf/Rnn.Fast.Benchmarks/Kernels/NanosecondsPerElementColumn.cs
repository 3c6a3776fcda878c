using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Rnn.Fast.Benchmarks.Kernels;

/// <summary>
/// Mean time divided by the elements one invocation touches (the <c>Length</c> parameter, or <c>Rows·Columns</c>),
/// and the matching GB/s of float traffic per stream, so sizes compare on one scale.
/// </summary>
public sealed class NanosecondsPerElementColumn(bool gigabytesPerSecond) : IColumn
{
    public string Id => gigabytesPerSecond ? "GBps" : "NsPerElement";
    public string ColumnName => gigabytesPerSecond ? "GB/s (4 B/elem)" : "ns/element";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => gigabytesPerSecond ? 1 : 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => gigabytesPerSecond
        ? "Elements × 4 bytes / mean time: the rate at which one float stream is consumed"
        : "Mean time / elements per invocation";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is null) return "NA";
        double elements = Elements(benchmarkCase);
        if (elements <= 0) return "NA";
        double nsPerElement = report.ResultStatistics.Mean / elements;
        return gigabytesPerSecond
            ? (4.0 / nsPerElement).ToString("F1", CultureInfo.InvariantCulture)
            : nsPerElement.ToString("F3", CultureInfo.InvariantCulture);
    }

    private static double Elements(BenchmarkCase benchmarkCase)
    {
        double length = 0, rows = 0, columns = 0;
        foreach (var parameter in benchmarkCase.Parameters.Items)
        {
            if (parameter.Name == "Length") length = Convert.ToDouble(parameter.Value, CultureInfo.InvariantCulture);
            if (parameter.Name == "Shape" && parameter.Value is MatrixSize size) { rows = size.Rows; columns = size.Columns; }
        }
        return length > 0 ? length : rows * columns;
    }
}

/// <summary>A matrix size parameter, printed as rows×columns.</summary>
public sealed record MatrixSize(int Rows, int Columns)
{
    public override string ToString() => $"{Rows}x{Columns}";
}
