using System.Text;
using Rnn.Fast.Cli.Data;

namespace Rnn.Fast.Cli.Train;

/// <summary>The CSV files <c>rnn train</c> writes beside the model: the numbers of its plot.</summary>
public static class TrainingReportFiles
{
    /// <summary>Writes <c>epoch,training_loss,validation_loss</c>, one row per epoch (standardized units).</summary>
    /// <param name="path">The file.</param>
    /// <param name="history">The epochs.</param>
    public static void WriteLosses(string path, IReadOnlyList<EpochResult> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var text = new StringBuilder("epoch,training_loss,validation_loss\n");
        foreach (EpochResult epoch in history)
        {
            text.Append(epoch.Epoch).Append(',').Append(CsvNumbers.Format(epoch.TrainingLoss)).Append(',').Append(CsvNumbers.Format(epoch.ValidationLoss)).Append('\n');
        }

        File.WriteAllText(path, text.ToString());
    }

    /// <summary>Writes <c>row,actual,predicted,naive</c>, one row per row of the hold-out tail (the target's units).</summary>
    /// <param name="path">The file.</param>
    /// <param name="report">The hold-out predictions.</param>
    public static void WriteHoldOut(string path, HoldOutReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder("row,actual,predicted,naive\n");
        foreach (HoldOutPrediction row in report.Rows)
        {
            text.Append(row.Row).Append(',').Append(CsvNumbers.Format(row.Actual)).Append(',').Append(CsvNumbers.Format(row.Predicted))
                .Append(',').Append(CsvNumbers.Format(row.Naive)).Append('\n');
        }

        File.WriteAllText(path, text.ToString());
    }
}
