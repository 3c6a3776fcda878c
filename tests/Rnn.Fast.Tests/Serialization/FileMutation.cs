namespace Rnn.Fast.Tests.Serialization;

/// <summary>One way <see cref="ModelFileFuzzCase"/> damages or forges a valid model file.</summary>
public enum FileMutation
{
    /// <summary>Flip one random bit anywhere.</summary>
    FlipBit,

    /// <summary>Overwrite one random byte anywhere with a random value.</summary>
    SetByte,

    /// <summary>Overwrite one header field (magic, version, d, h, o, activation or count) with an extreme, nearby or random value.</summary>
    SetHeaderField,

    /// <summary>Write a new consistent shape and count into the header; for a small shape, resize the payload to match and fix the checksum (a valid file of another shape).</summary>
    Reshape,

    /// <summary>Overwrite a few parameters with awkward bit patterns (NaN payloads, subnormals, random bits) and fix the checksum (a valid file).</summary>
    ForgeParameters,

    /// <summary>Cut the file at a random length.</summary>
    Truncate,

    /// <summary>Append 1..40 random bytes.</summary>
    Append,

    /// <summary>Recompute the CRC-32 of everything but the last four bytes into the last four, as a forger would.</summary>
    FixChecksum,
}
