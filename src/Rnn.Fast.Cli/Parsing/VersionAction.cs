using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using Rnn.Fast.Kernels;

namespace Rnn.Fast.Cli.Parsing;

/// <summary>
/// What <c>rnn --version</c> prints: the tool's version, the library's, and the instruction-set path the kernels
/// take in this process (<see cref="KernelDispatch.Active"/>) with every path this machine supports.
/// </summary>
public sealed class VersionAction : SynchronousCommandLineAction
{
    /// <summary>The tool's version: the informational version of the rnn assembly, without a source-revision suffix.</summary>
    public static string ToolVersion { get; } = VersionOf(typeof(VersionAction).Assembly);

    /// <summary>The library's version, read the same way from the Rnn.Fast assembly.</summary>
    public static string LibraryVersion { get; } = VersionOf(typeof(RnnModel).Assembly);

    /// <summary>The lines that <c>rnn --version</c> prints.</summary>
    public static IReadOnlyList<string> Lines =>
    [
        $"rnn {ToolVersion} (Rnn.Fast {LibraryVersion}, .NET {Environment.Version})",
        $"instruction set: {KernelDispatch.Active} (supported here: {string.Join(", ", KernelDispatch.Supported)})",
    ];

    /// <inheritdoc/>
    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        foreach (string line in Lines) parseResult.InvocationConfiguration.Output.WriteLine(line);
        return CommandLine.SuccessExitCode;
    }

    private static string VersionOf(Assembly assembly)
    {
        string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "unknown";
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
