using System.Globalization;

namespace Rnn.Fast.Cli.Data;

/// <summary>
/// Standardization of some columns: z = (x − Mean[j]) / Scale[j], and back x = Mean[j] + Scale[j]·z. Fitted on the
/// training rows only (so nothing of the hold-out tail leaks into training), saved with the model, and applied
/// unchanged by predict. Scale is the population standard deviation (divided by the row count); a constant column
/// gets scale 1, so it standardizes to 0 instead of dividing by zero.
/// </summary>
/// <param name="Mean">The mean of each column over the training rows.</param>
/// <param name="Scale">The standard deviation of each column over the training rows (1 for a constant column).</param>
public sealed record ColumnScaling(IReadOnlyList<double> Mean, IReadOnlyList<double> Scale)
{
    /// <summary>The number of columns.</summary>
    public int Count => Mean.Count;

    /// <summary>Fits the scaling of <paramref name="names"/>.Count columns to the first <paramref name="rows"/> rows of a row-major table.</summary>
    /// <param name="values">Row-major values, at least rows·columns of them.</param>
    /// <param name="rows">The rows to fit to.</param>
    /// <param name="names">The columns' names, for messages.</param>
    /// <param name="source">The file's name, for messages.</param>
    /// <exception cref="InputDataException">A column's values are too large to standardize (their squares overflow).</exception>
    public static ColumnScaling Fit(ReadOnlySpan<double> values, int rows, IReadOnlyList<string> names, string source)
    {
        ArgumentNullException.ThrowIfNull(names);
        int columns = names.Count;
        var mean = new double[columns];
        var scale = new double[columns];
        for (int j = 0; j < columns; j++)
        {
            double sum = 0;
            for (int r = 0; r < rows; r++) sum += values[r * columns + j];
            double m = sum / rows;
            double squares = 0;
            for (int r = 0; r < rows; r++)
            {
                double deviation = values[r * columns + j] - m;
                squares += deviation * deviation;
            }

            double deviationOfColumn = Math.Sqrt(squares / rows);
            if (!double.IsFinite(m) || !double.IsFinite(deviationOfColumn))
            {
                throw new InputDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{source}: the values of column '{names[j]}' are too large to standardize (their mean or variance overflows a double)"));
            }

            mean[j] = m;
            scale[j] = deviationOfColumn > 0 ? deviationOfColumn : 1;
        }

        return new ColumnScaling(mean, scale);
    }

    /// <summary>z = (x − Mean[column]) / Scale[column].</summary>
    /// <param name="value">x.</param>
    /// <param name="column">The column.</param>
    public double Standardize(double value, int column) => (value - Mean[column]) / Scale[column];

    /// <summary>x = Mean[column] + Scale[column]·z.</summary>
    /// <param name="standardized">z.</param>
    /// <param name="column">The column.</param>
    public double Restore(double standardized, int column) => Mean[column] + Scale[column] * standardized;
}
