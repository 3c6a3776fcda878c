namespace Rnn.Fast.Cli.Models;

/// <summary>Opens model files for the commands, turning a missing file into a usage error.</summary>
public static class ModelFiles
{
    /// <summary>Loads everything the model file at <paramref name="path"/> holds.</summary>
    /// <param name="path">The model file.</param>
    /// <exception cref="UsageException">There is no such file, or the path is a folder.</exception>
    /// <exception cref="InvalidModelFileException">The file is not a valid model file (the message starts with the path).</exception>
    public static RnnModelFileContents Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new UsageException($"'{path}' is a folder, not a model file");
        if (!File.Exists(path)) throw new UsageException($"there is no file '{path}'");
        return RnnModelFile.LoadContents(path);
    }
}
