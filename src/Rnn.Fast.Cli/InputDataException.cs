namespace Rnn.Fast.Cli;

/// <summary>
/// An input file the tool refuses: a CSV file with a problem (the message names the file, and the line and column
/// where there is one) or a model file that lacks what the command needs. <see cref="CommandLine"/> prints the message
/// as one line on standard error and exits with <see cref="CommandLine.UsageErrorExitCode"/>; nothing is written.
/// </summary>
public sealed class InputDataException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, where.</param>
    public InputDataException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the error that caused it.</summary>
    /// <param name="message">What is wrong, where.</param>
    /// <param name="innerException">The cause.</param>
    public InputDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
