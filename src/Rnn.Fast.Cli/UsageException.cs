namespace Rnn.Fast.Cli;

/// <summary>
/// A mistake in the command line (unknown command or option, missing or malformed value). <see cref="CommandLine"/>
/// prints its message as one line on standard error and exits with <see cref="CommandLine.UsageErrorExitCode"/>.
/// </summary>
public sealed class UsageException(string message) : Exception(message);
