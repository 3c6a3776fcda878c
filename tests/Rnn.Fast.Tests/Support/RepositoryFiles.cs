namespace Rnn.Fast.Tests.Support;

/// <summary>Files of the repository that tests read: fixtures, the sample data, configuration.</summary>
public static class RepositoryFiles
{
    /// <summary>The folder that holds README.md and Rnn.Fast.sln, above the test assembly.</summary>
    public static string Root()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "README.md")) && File.Exists(System.IO.Path.Combine(folder.FullName, "Rnn.Fast.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds README.md and Rnn.Fast.sln.");
    }

    /// <summary>The full path of a file given relative to the repository's root, with '/' between folders.</summary>
    /// <param name="relativePath">E.g. "tests/Fixtures/model-files/version-1.rnnf".</param>
    public static string Path(string relativePath) => System.IO.Path.Combine([Root(), .. relativePath.Split('/')]);
}
