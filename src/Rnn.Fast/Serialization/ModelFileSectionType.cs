namespace Rnn.Fast;

/// <summary>
/// How a <see cref="ModelFileSection"/>'s payload is encoded (the section's type code in a version-2 model file).
/// Every number is little-endian; a string is a uint32 byte count followed by that many bytes of UTF-8.
/// </summary>
/// <remarks>
/// A file may hold a type code this library does not know (written by a later version): such a section loads with
/// that code cast to this enum and its payload as bytes, unless it is marked required, in which case the file is
/// refused. <see cref="ModelFileSection.IsKnownType"/> tells them apart.
/// </remarks>
public enum ModelFileSectionType
{
    /// <summary>UTF-8 text: the payload is the text's bytes.</summary>
    Text = 1,

    /// <summary>A list of strings: a uint32 count, then that many strings.</summary>
    Strings = 2,

    /// <summary>A map from string keys to string values: a uint32 count, then that many key–value pairs (key
    /// string, value string), in the order written. Keys are unique (compared ordinally) and not empty.</summary>
    StringMap = 3,

    /// <summary>float32 values: the payload's length is 4 × the count; every bit is kept (NaN payloads, −0).</summary>
    Float32Array = 4,

    /// <summary>float64 values: the payload's length is 8 × the count; every bit is kept.</summary>
    Float64Array = 5,

    /// <summary>int64 values: the payload's length is 8 × the count.</summary>
    Int64Array = 6,

    /// <summary>Opaque bytes, for data of the section's own format.</summary>
    Bytes = 7,
}
