using Rnn.Fast.Cli;
using Rnn.Fast.Tests.Serialization;

namespace Rnn.Fast.Tests.Cli;

/// <summary>
/// A CSV file rnn train refuses: one line on standard error naming the file and the line and column at fault (where
/// there is one), exit code 2, and nothing written — a model file already at --out keeps its bytes, and no report
/// appears beside it.
/// </summary>
public sealed class TrainBadInputTests
{
    /// <summary>Ten good rows (enough for --window 3 with a hold-out of 2 rows).</summary>
    private const string GoodRows = "1,2\n2,3\n3,5\n4,4\n5,6\n6,5\n7,8\n8,7\n9,9\n10,8\n";

    public static TheoryData<string, string, string[]> Cases => new()
    {
        // name, CSV text, what the message must mention
        { "ragged row", "x,y\n" + GoodRows + "11,12,13\n", ["line 12", "3 fields", "header has 2"] },
        { "short row", "x,y\n1,2\n3\n" + GoodRows, ["line 3", "1 fields", "header has 2"] },
        { "not a number", "x,y\n1,2\n2,abc\n" + GoodRows, ["line 3", "column 2 ('y')", "'abc' is not a number"] },
        { "empty cell", "x,y\n1,2\n,3\n" + GoodRows, ["line 3", "column 1 ('x')", "empty"] },
        { "empty file", "", ["empty"] },
        { "header only", "x,y\n", ["no data rows"] },
        { "missing target", "x,z\n" + GoodRows, ["line 1", "no target column 'y'", "x, z"] },
        { "fewer rows than a window", "x,y\n1,2\n2,3\n3,4\n", ["3 data rows", "--window 3", "4 rows"] },
        { "NaN", "x,y\n1,2\n2,NaN\n" + GoodRows, ["line 3", "column 2 ('y')", "'NaN' is not a finite number"] },
        { "infinity", "x,y\n1,2\n-Infinity,3\n" + GoodRows, ["line 3", "column 1 ('x')", "'-Infinity' is not a finite number"] },
        { "overflow", "x,y\n1,2\n1e400,3\n" + GoodRows, ["line 3", "column 1 ('x')", "'1e400' is not a finite number"] },
        { "a date without --features", "date,y\n2024-01-01,2\n" + GoodRows, ["line 2", "column 1 ('date')", "not a number", "--features"] },
        { "empty line inside", "x,y\n1,2\n\n" + GoodRows, ["line 3", "empty"] },
        { "unclosed quote", "x,y\n1,\"2\n" + GoodRows, ["line 2", "column 2", "quoted field"] },
        { "repeated column name", "x,x\n" + GoodRows, ["line 1", "column 2", "'x'"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ABadCsvIsRefusedWithOneLineNamingWhereExitCodeTwoAndNothingWritten(string name, string csv, string[] mentions)
    {
        using var folder = new TemporaryFolder();
        string data = folder.File("series.csv"), model = folder.File("model.rnnf");
        File.WriteAllText(data, csv);
        byte[] previous = [1, 2, 3, 4];
        File.WriteAllBytes(model, previous);

        var (exitCode, _, error) = CliHarness.Run("train", "--data", data, "--target", "y", "--window", "3", "--validation", "0.2", "--epochs", "1", "--out", model);

        Assert.True(exitCode == CommandLine.UsageErrorExitCode, $"{name}: exit code {exitCode}, error '{error}'");
        string line = Assert.Single(CliHarness.Lines(error));
        Assert.StartsWith($"rnn: {data}", line);
        foreach (string mention in mentions) Assert.True(line.Contains(mention, StringComparison.Ordinal), $"{name}: '{line}' does not mention '{mention}'");
        Assert.DoesNotContain("   at ", error);
        Assert.Equal(previous, File.ReadAllBytes(model));
        Assert.Equal(["model.rnnf", "series.csv"], folder.FileNames());
    }

    [Fact]
    public void ColumnsOutsideTheFeaturesAreNotRead()
    {
        using var folder = new TemporaryFolder();
        string data = folder.File("series.csv"), model = folder.File("model.rnnf");
        // The note column has text, an empty cell and a NaN; with --features x,y it is ignored.
        File.WriteAllText(data, "note,x,y\n" + string.Concat(GoodRows.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select((row, i) => $"{(i == 2 ? "" : i == 3 ? "NaN" : "\"a, b\"")},{row}\n")));

        var (exitCode, _, error) = CliHarness.Run("train", "--data", data, "--target", "y", "--features", "x,y", "--window", "3", "--epochs", "2", "--no-plot", "--out", model);

        Assert.True(exitCode == CommandLine.SuccessExitCode, error);
        Assert.True(File.Exists(model));
    }

    [Fact]
    public void AMissingDataFileOrFolderIsAUsageError()
    {
        using var folder = new TemporaryFolder();

        var (exitCode, _, error) = CliHarness.Run("train", "--data", folder.File("none.csv"), "--target", "y", "--out", folder.File("m.rnnf"));
        var (folderExitCode, _, folderError) = CliHarness.Run("train", "--data", CliHarness.SampleData, "--target", "demand", "--out", folder.File("missing/m.rnnf"));

        Assert.Equal(CommandLine.UsageErrorExitCode, exitCode);
        Assert.Contains("there is no file", error);
        Assert.Equal(CommandLine.UsageErrorExitCode, folderExitCode);
        Assert.Contains("does not exist", folderError);
        Assert.Empty(folder.FileNames());
    }

    [Fact]
    public void AHoldOutTooLargeForOneTrainingWindowIsRefused()
    {
        using var folder = new TemporaryFolder();
        string data = folder.File("series.csv");
        File.WriteAllText(data, "x,y\n" + GoodRows);

        var (exitCode, _, error) = CliHarness.Run("train", "--data", data, "--target", "y", "--window", "8", "--validation", "0.5", "--out", folder.File("m.rnnf"));

        Assert.Equal(CommandLine.UsageErrorExitCode, exitCode);
        Assert.Contains("training keeps the first 5 of its 10 data rows", Assert.Single(CliHarness.Lines(error)));
    }

    [Fact]
    public void ADivergingRunFailsWithExitCodeOneAndWritesNothing()
    {
        using var folder = new TemporaryFolder();
        string model = folder.File("model.rnnf");

        // Without clipping, a learning rate of 10⁶ overflows the parameters within the first epoch.
        var (exitCode, _, error) = CliHarness.Run("train", "--data", CliHarness.SampleData, "--target", "demand", "--features", "temperature,demand",
            "--learning-rate", "1e6", "--no-clip", "--epochs", "3", "--out", model);

        Assert.Equal(CommandLine.FailureExitCode, exitCode);
        string line = Assert.Single(CliHarness.Lines(error));
        Assert.Contains("training diverged in epoch 1", line);
        Assert.Contains("no model was written", line);
        Assert.Contains("--learning-rate", line);
        Assert.Empty(folder.FileNames());
    }
}
