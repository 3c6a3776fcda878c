namespace Rnn.Fast.Cli.Interop;

/// <summary>The extension and the <c>--format</c> word of each <see cref="InteropFormat"/>.</summary>
internal static class InteropFormats
{
    /// <summary>The format a path's extension names (compared without case), or null for any other extension.</summary>
    /// <param name="path">A file path.</param>
    public static InteropFormat? FromExtension(string path) =>
        path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) ? InteropFormat.Safetensors
        : path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? InteropFormat.Onnx
        : null;

    /// <summary>The extension of <paramref name="format"/>, with its dot.</summary>
    /// <param name="format">The format.</param>
    public static string Extension(InteropFormat format) => format == InteropFormat.Onnx ? ".onnx" : ".safetensors";

    /// <summary>The word <c>--format</c> takes for <paramref name="format"/>.</summary>
    /// <param name="format">The format.</param>
    public static string Word(InteropFormat format) => format == InteropFormat.Onnx ? "onnx" : "safetensors";
}
