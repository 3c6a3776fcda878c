using Rnn.Fast.Cli.Data;

namespace Rnn.Fast.Tests.Cli;

/// <summary>The sample data set is what its documented formula makes, and is no arithmetic sequence.</summary>
public sealed class SampleDataTests
{
    [Fact]
    public void TheCommittedSampleIsExactlyWhatTheDocumentedFormulaWrites()
    {
        // Math.Sin, Cos and Log may differ in the last bit between C runtimes; the values are rounded to 0.1, so a
        // difference could show only for a value within an ulp of a rounding boundary, which none of these is.
        Assert.Equal(DailyDemandSeries.Csv(), File.ReadAllText(CliHarness.SampleData));
    }

    [Fact]
    public void TheSampleHasADateColumnTwoNumericColumnsAndTwoYearsOfDays()
    {
        CsvTable table = CsvTable.Read(CliHarness.SampleData);

        Assert.Equal(["date", "temperature", "demand"], table.Header);
        Assert.Equal(DailyDemandSeries.Days, table.RowCount);
        TimeSeries series = TimeSeries.Select(table, ["temperature", "demand"], "demand", targetRequired: true);
        // Not an arithmetic sequence: the day-to-day changes of demand take many values.
        double[] changes = [.. Enumerable.Range(1, series.RowCount - 1).Select(r => Math.Round(series.Target[r] - series.Target[r - 1], 1))];
        Assert.True(changes.Distinct().Count() > 100);
    }
}
