using System.Globalization;

namespace Rnn.Fast.Cli.Data;

/// <summary>
/// The numeric columns of a CSV table that a model reads: the features (the network's inputs at each row) and the
/// target (the value to predict one row ahead), as doubles, one row per time step in file order. Every cell used must
/// be a finite number in the invariant culture (<c>12.5</c>, <c>-3e-2</c>): an empty cell, a non-number, NaN or an
/// infinity is an <see cref="InputDataException"/> naming its line and column. Columns not used are not read.
/// </summary>
public sealed class TimeSeries
{
    private readonly double[] _features;
    private readonly double[]? _target;
    private readonly int[] _lineNumbers;

    private TimeSeries(string source, string[] featureNames, string targetName, double[] features, double[]? target, int[] lineNumbers)
    {
        Source = source;
        FeatureNames = featureNames;
        TargetName = targetName;
        _features = features;
        _target = target;
        _lineNumbers = lineNumbers;
    }

    /// <summary>The file's name, for messages.</summary>
    public string Source { get; }

    /// <summary>The feature columns, in the order the network reads them.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The target column.</summary>
    public string TargetName { get; }

    /// <summary>d, the number of features.</summary>
    public int FeatureCount => FeatureNames.Count;

    /// <summary>The number of rows (time steps).</summary>
    public int RowCount => _lineNumbers.Length;

    /// <summary>Whether the target column was read (predict reads it when the file has it).</summary>
    public bool HasTarget => _target is not null;

    /// <summary>The features of every row, row-major: RowCount·FeatureCount values.</summary>
    public ReadOnlySpan<double> Features => _features;

    /// <summary>The target of every row.</summary>
    /// <exception cref="InvalidOperationException">The target was not read (<see cref="HasTarget"/> is false).</exception>
    public ReadOnlySpan<double> Target => _target ?? throw new InvalidOperationException("The target column was not read.");

    /// <summary>The line of the file that row <paramref name="row"/> is on.</summary>
    /// <param name="row">From 0.</param>
    public int LineNumber(int row) => _lineNumbers[row];

    /// <summary>
    /// Reads the columns a model needs from <paramref name="table"/>. With <paramref name="featureNames"/> null, every
    /// column is a feature (so every cell must be a number); otherwise only the columns named, and the target.
    /// </summary>
    /// <param name="table">The CSV table.</param>
    /// <param name="featureNames">The feature columns, or null for every column.</param>
    /// <param name="targetName">The target column.</param>
    /// <param name="targetRequired">Whether a table without the target column is an error (train) or not (predict,
    /// when the target is not a feature).</param>
    /// <exception cref="InputDataException">A column is missing, or a cell used is not a finite number.</exception>
    public static TimeSeries Select(CsvTable table, IReadOnlyList<string>? featureNames, string targetName, bool targetRequired)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(targetName);
        bool everyColumn = featureNames is null;
        string[] features = featureNames is null ? [.. table.Header] : [.. featureNames];
        int[] featureColumns = [.. features.Select(name => ColumnOf(table, name, "feature"))];
        int targetColumn = table.IndexOf(targetName);
        if (targetColumn < 0 && (targetRequired || features.Contains(targetName)))
        {
            throw MissingColumn(table, targetName, "target");
        }

        string hint = everyColumn ? " (without --features every column is a feature: name the numeric columns with --features)" : "";
        int rows = table.RowCount, d = features.Length;
        var values = new double[rows * d];
        double[]? target = targetColumn < 0 ? null : new double[rows];
        var lines = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            lines[r] = table.LineNumber(r);
            for (int j = 0; j < d; j++) values[r * d + j] = Number(table, r, featureColumns[j], hint);
            if (target is not null) target[r] = Number(table, r, targetColumn, hint);
        }

        return new TimeSeries(table.Source, features, targetName, values, target, lines);
    }

    private static int ColumnOf(CsvTable table, string name, string role)
    {
        int column = table.IndexOf(name);
        return column >= 0 ? column : throw MissingColumn(table, name, role);
    }

    private static InputDataException MissingColumn(CsvTable table, string name, string role) =>
        new($"{table.Source}, line 1: there is no {role} column '{name}' in the header (its columns are {string.Join(", ", table.Header)})");

    private static double Number(CsvTable table, int row, int column, string hint)
    {
        string text = table.Cell(row, column).Trim();
        string where = $"{table.Source}, line {table.LineNumber(row)}, column {column + 1} ('{table.Header[column]}')";
        if (text.Length == 0) throw new InputDataException($"{where}: the cell is empty; every row needs a number in every column used");
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            throw new InputDataException($"{where}: '{text}' is not a number{hint}");
        }

        if (!double.IsFinite(value))
        {
            throw new InputDataException($"{where}: '{text}' is not a finite number; NaN and infinities are refused");
        }

        return value;
    }
}
