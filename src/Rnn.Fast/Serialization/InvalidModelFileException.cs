namespace Rnn.Fast;

/// <summary>
/// The bytes given to <see cref="RnnModelFile.Load(Stream)"/> or <see cref="RnnModelFile.Load(string)"/> are not a
/// valid model file: wrong magic, unsupported format version, invalid or oversized shape, unknown activation,
/// parameter count that disagrees with the shape, truncation, checksum mismatch, or (for a path) data after the
/// checksum; for format version 2 also a section that is not valid or a required one this library does not
/// understand (also from <see cref="RnnModelFile.LoadContents(string)"/>). The message says which, with the values
/// found; no model is returned. The safetensors import
/// (<see cref="Interop.PyTorchSafetensors"/>) throws it too, for a file that is not valid safetensors or does not hold
/// a supported model; its problems' names are listed there.
/// </summary>
/// <remarks>
/// Each message starts with the problem's name — <c>truncated</c>, <c>wrong magic</c>, <c>format version</c>,
/// <c>invalid size</c>, <c>unknown activation</c>, <c>too large</c>, <c>parameter count mismatch</c>,
/// <c>checksum mismatch</c>, <c>trailing data</c>, <c>invalid section</c> or <c>unsupported section</c> — preceded by
/// the file's path when one was given.
/// Errors of the stream or file system itself (a missing file, a failing disk) are not this exception: they pass
/// through as the <see cref="IOException"/> the stream threw. It derives from <see cref="IOException"/> (the BCL's
/// <see cref="InvalidDataException"/> is sealed), so one <c>catch (IOException)</c> around a load handles both a bad
/// file and a failing disk, and a handler that must tell them apart catches this type first.
/// </remarks>
public sealed class InvalidModelFileException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public InvalidModelFileException()
        : base("The data is not a valid Rnn.Fast model file.")
    {
    }

    /// <summary>Creates the exception with a message that says what is wrong.</summary>
    /// <param name="message">What is wrong, with the values found.</param>
    public InvalidModelFileException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">What is wrong, with the values found.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidModelFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
