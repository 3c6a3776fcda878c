namespace Rnn.Fast.Interop;

/// <summary>The <see cref="InvalidModelFileException"/> of a safetensors problem, prefixed by the file's path when there is one.</summary>
internal static class SafetensorsErrors
{
    /// <summary>"path: problem", or the problem alone for a stream.</summary>
    public static InvalidModelFileException Invalid(string? path, string problem) =>
        new(path is null ? problem : $"{path}: {problem}");

    /// <summary>As <see cref="Invalid(string?, string)"/>, keeping the exception that revealed the problem.</summary>
    public static InvalidModelFileException Invalid(string? path, string problem, Exception innerException) =>
        new(path is null ? problem : $"{path}: {problem}", innerException);
}
