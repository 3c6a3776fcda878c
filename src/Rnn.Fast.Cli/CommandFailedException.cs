namespace Rnn.Fast.Cli;

/// <summary>
/// A command that started with good input but could not finish (for example, training diverged).
/// <see cref="CommandLine"/> prints the message as one line on standard error and exits with
/// <see cref="CommandLine.FailureExitCode"/>.
/// </summary>
public sealed class CommandFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, and what to change.</param>
    public CommandFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the error that caused it.</summary>
    /// <param name="message">What failed, and what to change.</param>
    /// <param name="innerException">The cause.</param>
    public CommandFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
