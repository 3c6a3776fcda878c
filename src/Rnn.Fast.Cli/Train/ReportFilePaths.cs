namespace Rnn.Fast.Cli.Train;

/// <summary>
/// Where <c>rnn train</c> writes its reports: beside the model file, named after it without its extension
/// (<c>demand.rnnf</c> → <c>demand.loss.csv</c>, <c>demand.holdout.csv</c>, <c>demand.png</c>).
/// </summary>
/// <param name="Losses">The loss of every epoch.</param>
/// <param name="HoldOut">The hold-out predictions.</param>
/// <param name="Plot">The PNG.</param>
public sealed record ReportFilePaths(string Losses, string HoldOut, string Plot)
{
    /// <summary>The report paths for a model file.</summary>
    /// <param name="modelPath">The model file's path.</param>
    /// <exception cref="UsageException">The path names a folder, or a folder that does not exist.</exception>
    public static ReportFilePaths For(string modelPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        if (Directory.Exists(modelPath)) throw new UsageException($"--out '{modelPath}' is a folder; name the model file to write");
        string? folder = Path.GetDirectoryName(Path.GetFullPath(modelPath));
        if (folder is not null && !Directory.Exists(folder)) throw new UsageException($"--out '{modelPath}': the folder '{folder}' does not exist");
        string stem = Path.ChangeExtension(modelPath, null);
        var paths = new ReportFilePaths(stem + ".loss.csv", stem + ".holdout.csv", stem + ".png");
        if (modelPath == paths.Losses || modelPath == paths.HoldOut || modelPath == paths.Plot)
        {
            throw new UsageException($"--out '{modelPath}' would be overwritten by a report; give the model file another extension, such as .rnnf");
        }

        return paths;
    }
}
