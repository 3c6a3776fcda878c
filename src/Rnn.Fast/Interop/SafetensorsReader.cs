using System.Buffers;
using System.Buffers.Binary;

namespace Rnn.Fast.Interop;

/// <summary>
/// Reads a safetensors file from a stream: the 8-byte header length, the JSON header, and then the data section,
/// converting the tensors asked for to float32 and passing over the others.
/// </summary>
/// <remarks>
/// Nothing is allocated for more than the stream holds. A seekable stream must hold the whole header before the
/// header buffer is allocated, and the whole data section before a tensor buffer is; any other stream is read in
/// 64 KiB chunks into buffers that grow only as the data arrives (at most about twice what was sent). Tensors not
/// asked for are skipped (seekable) or read through a 64 KiB buffer and dropped (unseekable), never kept.
/// </remarks>
internal static class SafetensorsReader
{
    /// <summary>The largest header accepted: 100,000,000 bytes, the limit of the format's reference implementation.</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>The length of the header-length field.</summary>
    public const int LengthFieldSize = sizeof(ulong);

    private const int ChunkBytes = 64 * 1024;

    /// <summary>Reads and parses the header, leaving the stream at the start of the data section.</summary>
    /// <param name="stream">A readable stream positioned at the start of a safetensors file.</param>
    /// <param name="path">The file, for messages; null for a stream.</param>
    /// <exception cref="InvalidModelFileException">The header is truncated, too large or invalid.</exception>
    public static SafetensorsHeader ReadHeader(Stream stream, string? path)
    {
        Span<byte> lengthField = stackalloc byte[LengthFieldSize];
        int read = stream.ReadAtLeast(lengthField, LengthFieldSize, throwOnEndOfStream: false);
        if (read < LengthFieldSize)
        {
            throw SafetensorsErrors.Invalid(path, $"truncated: the file ends after {read} bytes, inside the {LengthFieldSize}-byte header length.");
        }

        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(lengthField);
        if (length > MaxHeaderLength)
        {
            throw SafetensorsErrors.Invalid(path, $"header too large: the header length says {length} bytes; at most {MaxHeaderLength} are allowed.");
        }

        if (stream.CanSeek)
        {
            long left = Math.Max(0, stream.Length - stream.Position);
            if ((ulong)left < length)
            {
                throw SafetensorsErrors.Invalid(path, $"truncated: the header length says {length} bytes, but only {left} bytes follow it.");
            }
        }

        byte[] header = ReadBytes(stream, (int)length, stream.CanSeek, out int received);
        if (received < (int)length)
        {
            throw SafetensorsErrors.Invalid(path, $"truncated: the header length says {length} bytes, but only {received} bytes follow it.");
        }

        return SafetensorsHeader.Parse(header.AsSpan(0, (int)length), path);
    }

    /// <summary>
    /// Reads the data section from the stream's position (just after the header) to its end, and returns the tensors
    /// named in <paramref name="wanted"/> converted to float32. Leaves the stream just after the data section.
    /// </summary>
    /// <param name="stream">The stream <see cref="ReadHeader"/> read the header from.</param>
    /// <param name="header">Its header.</param>
    /// <param name="wanted">Tensors to convert; each must be in the header, with a dtype
    /// <see cref="SafetensorsDataTypes.IsConvertibleToSingle"/> accepts and at most <see cref="Array.MaxLength"/> elements.</param>
    /// <param name="path">The file, for messages; null for a stream.</param>
    /// <exception cref="InvalidModelFileException">The stream ends before the data section does.</exception>
    public static Dictionary<string, float[]> ReadTensors(Stream stream, SafetensorsHeader header, IReadOnlySet<string> wanted, string? path)
    {
        if (stream.CanSeek)
        {
            long left = Math.Max(0, stream.Length - stream.Position);
            if (left < header.DataLength) throw TruncatedData(path, header, left);
        }

        SafetensorsEntry[] ordered = [.. header.Entries];
        Array.Sort(ordered, static (a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        var tensors = new Dictionary<string, float[]>(wanted.Count, StringComparer.Ordinal);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            long position = 0; // within the data section; the entries tile it, so each begins where the last ended
            foreach (SafetensorsEntry entry in ordered)
            {
                if (wanted.Contains(entry.Name))
                {
                    tensors.Add(entry.Name, ReadConverted(stream, entry, chunk, position, header, path));
                }
                else
                {
                    Skip(stream, entry.ByteLength, chunk, position, header, path);
                }

                position = entry.End;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return tensors;
    }

    private static float[] ReadConverted(Stream stream, SafetensorsEntry entry, byte[] chunk, long position, SafetensorsHeader header, string? path)
    {
        int elementSize = SafetensorsDataTypes.ConvertibleElementSize(entry.DataType);
        int count = (int)entry.ElementCount;
        int perChunk = ChunkBytes / elementSize;
        // The data section's length was checked against a seekable stream; other streams grow the buffer as data arrives.
        float[] values = new float[stream.CanSeek ? count : Math.Min(count, perChunk)];
        int filled = 0;
        while (filled < count)
        {
            if (filled == values.Length) Array.Resize(ref values, (int)Math.Min(2L * values.Length, count));
            int elements = Math.Min(perChunk, values.Length - filled);
            Span<byte> bytes = chunk.AsSpan(0, elements * elementSize);
            int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (read < bytes.Length) throw TruncatedData(path, header, position + (long)filled * elementSize + read);
            SafetensorsDataTypes.ConvertToSingle(entry.DataType, bytes, values.AsSpan(filled, elements));
            filled += elements;
        }

        return values;
    }

    private static void Skip(Stream stream, long byteLength, byte[] chunk, long position, SafetensorsHeader header, string? path)
    {
        if (stream.CanSeek)
        {
            stream.Seek(byteLength, SeekOrigin.Current);
            return;
        }

        long left = byteLength;
        while (left > 0)
        {
            int want = (int)Math.Min(left, chunk.Length);
            int read = stream.ReadAtLeast(chunk.AsSpan(0, want), want, throwOnEndOfStream: false);
            if (read < want) throw TruncatedData(path, header, position + (byteLength - left) + read);
            left -= want;
        }
    }

    /// <summary>
    /// Reads <paramref name="count"/> bytes into a new buffer: at once when the stream's length was checked, else in
    /// 64 KiB steps into a buffer that doubles as the data arrives. Returns how many arrived.
    /// </summary>
    private static byte[] ReadBytes(Stream stream, int count, bool lengthChecked, out int received)
    {
        byte[] buffer = new byte[lengthChecked ? count : Math.Min(count, ChunkBytes)];
        received = 0;
        while (received < count)
        {
            if (received == buffer.Length) Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, count));
            int want = Math.Min(ChunkBytes, buffer.Length - received);
            int read = stream.ReadAtLeast(buffer.AsSpan(received, want), want, throwOnEndOfStream: false);
            received += read;
            if (read < want) break;
        }

        return buffer;
    }

    private static InvalidModelFileException TruncatedData(string? path, SafetensorsHeader header, long available) =>
        SafetensorsErrors.Invalid(path, $"truncated: the header describes {header.DataLength} bytes of tensor data, but the file ends {available} bytes into them.");
}
