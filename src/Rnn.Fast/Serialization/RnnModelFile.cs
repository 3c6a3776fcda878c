using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;

namespace Rnn.Fast;

/// <summary>
/// Saves an <see cref="RnnModel"/> to a file or stream and loads it back, bit for bit. Saving to a path is atomic:
/// a crash or an error during <see cref="Save(RnnModel, string)"/> leaves the previous file as it was. Loading
/// checks every field and a CRC-32 over the whole file before it builds a model, so it returns a complete model or
/// throws <see cref="InvalidModelFileException"/>, never a half-loaded one.
/// </summary>
/// <remarks>
/// <para>The format, version 1. Every number is little-endian; a file of a model with P parameters is 36 + 4·P
/// bytes and holds nothing else (there is no padding and no free byte, so a file <see cref="Load(Stream)"/>
/// accepts is exactly the file <see cref="Save(RnnModel, Stream)"/> writes for the model it returns).</para>
/// <list type="table">
/// <listheader><term>Bytes</term><description>Field</description></listheader>
/// <item><term>0–3</term><description>Magic: the ASCII letters <c>RNNF</c> (52 4E 4E 46).</description></item>
/// <item><term>4–7</term><description>Format version, uint32: 1.</description></item>
/// <item><term>8–11</term><description>d, the input size, int32, at least 1.</description></item>
/// <item><term>12–15</term><description>h, the hidden size, int32, at least 1.</description></item>
/// <item><term>16–19</term><description>o, the output size, int32, at least 1.</description></item>
/// <item><term>20–23</term><description>Activation code, uint32: 1 = tanh (the only one).</description></item>
/// <item><term>24–31</term><description>P, the parameter count, int64: must equal d·h + h·h + h + h·o + o, which
/// must not exceed <see cref="RnnShape.MaxParameterCount"/>.</description></item>
/// <item><term>32 … 32+4P−1</term><description>The parameters, float32 (IEEE 754 binary32, every bit kept: NaN
/// payloads, −0, subnormals), in <see cref="RnnShape"/>'s layout <c>[ Wxh | Whh | bh | Who | bo ]</c>.</description></item>
/// <item><term>32+4P … 35+4P</term><description>CRC-32 (IEEE 802.3 polynomial, as zlib and PNG; computed by
/// <see cref="Crc32"/>) of bytes 0 … 32+4P−1, uint32.</description></item>
/// </list>
/// <para>Load checks, in this order, and throws <see cref="InvalidModelFileException"/> whose message starts with the
/// name of the first problem found: <c>truncated</c> (the file ends inside the header), <c>wrong magic</c>,
/// <c>format version</c> (not 1), <c>invalid size</c> (d, h or o below 1), <c>unknown activation</c>,
/// <c>too large</c> (more parameters than <see cref="RnnShape.MaxParameterCount"/>), <c>parameter count
/// mismatch</c> (P is not the shape's count), <c>truncated</c> (the parameters or the checksum are cut short),
/// <c>checksum mismatch</c>, and for <see cref="Load(string)"/> <c>trailing data</c> after the checksum. Every
/// header field is checked before anything is allocated for the parameters; a stream that can seek must also hold
/// all 4·P + 4 bytes the header announces, and a stream that cannot is read in 64 KiB chunks into a buffer that
/// grows only as the data arrives. So a forged header costs at most what the stream really holds, never what the
/// header asks for.</para>
/// <para>Threads: every method may run on any thread; a model must not change while it is being saved.</para>
/// </remarks>
public static class RnnModelFile
{
    /// <summary>The magic, bytes 0–3: "RNNF" in ASCII.</summary>
    private static ReadOnlySpan<byte> Magic => "RNNF"u8;

    private const uint FormatVersion = 1;
    private const uint TanhActivation = 1;
    private const int HeaderLength = 32;
    private const int ChecksumLength = sizeof(uint);

    /// <summary>Parameters are converted and checksummed 16,384 at a time (64 KiB): a bounded buffer whatever the model's size.</summary>
    private const int ChunkFloats = 16_384;

    /// <summary>
    /// Saves <paramref name="model"/> to <paramref name="path"/> atomically: it writes the file under a temporary
    /// name in the same folder (<c>path.&lt;random&gt;.tmp</c>), flushes it to disk, then renames it over
    /// <paramref name="path"/>. A crash at any moment leaves either the previous file or the new one at
    /// <paramref name="path"/>, never a mixture; when the save fails with an exception, the temporary file is
    /// deleted and the previous file is untouched. (A crash between writing and renaming can leave the temporary
    /// file behind.)
    /// </summary>
    /// <param name="model">The model to save.</param>
    /// <param name="path">The file to create or replace.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a directory.</exception>
    /// <exception cref="IOException">The file system failed (e.g. <see cref="DirectoryNotFoundException"/>); the
    /// previous file is untouched.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the file may not be written; the previous file is
    /// untouched.</exception>
    public static void Save(RnnModel model, string path) => Save(model, path, beforeRename: null);

    /// <summary>
    /// <see cref="Save(RnnModel, string)"/> with a seam for fault injection: <paramref name="beforeRename"/> runs
    /// with the temporary file's path after the file is written, flushed and closed, just before the rename.
    /// Tests throw from it to simulate a crash between write and rename.
    /// </summary>
    internal static void Save(RnnModel model, string path, Action<string>? beforeRename)
    {
        ArgumentNullException.ThrowIfNull(model);
        WriteAtomically(path, stream => Write(model, stream), beforeRename);
    }

    /// <summary>
    /// The atomic save of <see cref="Save(RnnModel, string)"/> for any writer (the safetensors export uses it too):
    /// <paramref name="write"/> fills a temporary file in the folder of <paramref name="path"/>, which is flushed to
    /// disk, closed and renamed over <paramref name="path"/>; on failure the temporary file is deleted.
    /// </summary>
    internal static void WriteAtomically(string path, Action<Stream> write, Action<string>? beforeRename)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new ArgumentException($"path '{path}' names a directory; a model is saved to a file.", nameof(path));
        }

        // Same folder as the target, so the rename never crosses file systems and stays atomic.
        string temporary = $"{fullPath}.{Random.Shared.NextInt64():x16}.tmp";
        bool created = false;
        try
        {
            // CreateNew: never overwrite a file that is not ours (and never delete one below).
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
            using (var stream = new FileStream(temporary, options))
            {
                created = true;
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            beforeRename?.Invoke(temporary);
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            if (created) DeleteQuietly(temporary);
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="model"/> in the model-file format at the stream's current position, then flushes the
    /// stream; the stream stays open. Not atomic: use <see cref="Save(RnnModel, string)"/> for files.
    /// </summary>
    /// <param name="model">The model to save.</param>
    /// <param name="stream">A writable stream.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not writable (or is closed); nothing is written.</exception>
    public static void Save(RnnModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("stream must be writable (it is read-only or closed).", nameof(stream));
        }

        Write(model, stream);
        stream.Flush();
    }

    /// <summary>Loads the model saved in the file at <paramref name="path"/>; the file must end with the model's checksum.</summary>
    /// <param name="path">The model file.</param>
    /// <returns>A new model with the saved shape and the saved parameters, bit for bit.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="InvalidModelFileException">The file is not a valid model file; the message starts with the
    /// path and says what is wrong (see <see cref="RnnModelFile"/>).</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="IOException">Reading failed.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read, or <paramref name="path"/> names a directory.</exception>
    public static RnnModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var options = new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read, BufferSize = 0, Options = FileOptions.SequentialScan };
        using var stream = new FileStream(path, options);
        RnnModel model = Read(stream, path);
        long trailing = stream.Length - stream.Position;
        if (trailing > 0)
        {
            throw Invalid(path, $"trailing data: {trailing} bytes follow the checksum; a model file ends with its checksum.");
        }

        return model;
    }

    /// <summary>
    /// Loads one model from the stream's current position and leaves the stream just after the model's checksum
    /// (so a model may be embedded in a larger stream); the stream stays open. After a failure the position is
    /// anywhere up to where the problem was found.
    /// </summary>
    /// <param name="stream">A readable stream; it need not be seekable.</param>
    /// <returns>A new model with the saved shape and the saved parameters, bit for bit.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable (or is closed); nothing is read.</exception>
    /// <exception cref="InvalidModelFileException">The data is not a valid model file; the message says what is
    /// wrong (see <see cref="RnnModelFile"/>).</exception>
    /// <exception cref="IOException">The stream failed.</exception>
    public static RnnModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("stream must be readable (it is write-only or closed).", nameof(stream));
        }

        return Read(stream, path: null);
    }

    private static void Write(RnnModel model, Stream stream)
    {
        RnnShape shape = model.Shape;
        Span<byte> header = stackalloc byte[HeaderLength];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], shape.InputSize);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], shape.HiddenSize);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], shape.OutputSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], TanhActivation);
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], shape.ParameterCount);

        var crc = new Crc32();
        crc.Append(header);
        stream.Write(header);

        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkFloats * sizeof(float));
        try
        {
            ReadOnlySpan<float> parameters = model.Parameters;
            for (int start = 0; start < parameters.Length; start += ChunkFloats)
            {
                ReadOnlySpan<float> values = parameters.Slice(start, Math.Min(ChunkFloats, parameters.Length - start));
                Span<byte> bytes = chunk.AsSpan(0, values.Length * sizeof(float));
                for (int i = 0; i < values.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(bytes[(i * sizeof(float))..], values[i]);
                }

                crc.Append(bytes);
                stream.Write(bytes);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        Span<byte> checksum = stackalloc byte[ChecksumLength];
        BinaryPrimitives.WriteUInt32LittleEndian(checksum, crc.GetCurrentHashAsUInt32());
        stream.Write(checksum);
    }

    private static RnnModel Read(Stream stream, string? path)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        int headerRead = stream.ReadAtLeast(header, HeaderLength, throwOnEndOfStream: false);
        if (headerRead < HeaderLength)
        {
            throw Invalid(path, $"truncated: the file ends after {headerRead} bytes, inside the {HeaderLength}-byte header.");
        }

        // Magic and version first: a later version may lay out everything after them differently.
        ReadOnlySpan<byte> magic = header[..4];
        if (!magic.SequenceEqual(Magic))
        {
            throw Invalid(path, $"wrong magic: expected 'RNNF' (52 4E 4E 46), found {Convert.ToHexString(magic)} (hex); this is not an Rnn.Fast model file.");
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        if (version != FormatVersion)
        {
            throw Invalid(path, $"format version {version} is not supported (this library reads version {FormatVersion}).");
        }

        int d = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        int h = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        int o = BinaryPrimitives.ReadInt32LittleEndian(header[16..]);
        if (d < 1 || h < 1 || o < 1)
        {
            throw Invalid(path, $"invalid size: the header says d={d}, h={h}, o={o}; every size must be at least 1.");
        }

        uint activation = BinaryPrimitives.ReadUInt32LittleEndian(header[20..]);
        if (activation != TanhActivation)
        {
            throw Invalid(path, $"unknown activation code {activation} (this library knows {TanhActivation} = tanh).");
        }

        // d·h + h·h + h + h·o + o = h·(d + h + o + 1) + o. Each size is below 2^31, so d + h + o + 1 < 2^33 and the
        // product stays below 3·2^62 + 2^31 < 2^64: exact in ulong for every header.
        ulong needed = (ulong)h * ((ulong)d + (ulong)h + (ulong)o + 1) + (ulong)o;
        if (needed > (ulong)RnnShape.MaxParameterCount)
        {
            throw Invalid(path, $"too large: the shape d={d}, h={h}, o={o} needs {needed} parameters; a model holds at most {RnnShape.MaxParameterCount}.");
        }

        long declared = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
        if (declared != (long)needed)
        {
            throw Invalid(path, $"parameter count mismatch: the shape d={d}, h={h}, o={o} needs {needed} parameters, but the header says {declared}.");
        }

        int count = (int)needed;
        if (stream.CanSeek)
        {
            long left = Math.Max(0, stream.Length - stream.Position);
            if (left < 4L * count + ChecksumLength) throw Truncated(path, count, left);
        }

        var crc = new Crc32();
        crc.Append(header);
        // A stream of known length holds every announced byte (checked above); any other stream gets a buffer that
        // doubles as data arrives, so a forged count cannot make us allocate more than about twice what was sent.
        float[] parameters = new float[stream.CanSeek ? count : Math.Min(count, ChunkFloats)];
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkFloats * sizeof(float));
        try
        {
            long afterHeader = 0;
            int filled = 0;
            while (filled < count)
            {
                if (filled == parameters.Length) Array.Resize(ref parameters, (int)Math.Min(2L * parameters.Length, count));
                int floats = Math.Min(ChunkFloats, parameters.Length - filled);
                Span<byte> bytes = chunk.AsSpan(0, floats * sizeof(float));
                int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
                afterHeader += read;
                if (read < bytes.Length) throw Truncated(path, count, afterHeader);
                crc.Append(bytes);
                for (int i = 0; i < floats; i++)
                {
                    parameters[filled + i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
                }

                filled += floats;
            }

            Span<byte> checksum = chunk.AsSpan(0, ChecksumLength);
            int checksumRead = stream.ReadAtLeast(checksum, ChecksumLength, throwOnEndOfStream: false);
            if (checksumRead < ChecksumLength) throw Truncated(path, count, afterHeader + checksumRead);
            uint stored = BinaryPrimitives.ReadUInt32LittleEndian(checksum);
            uint computed = crc.GetCurrentHashAsUInt32();
            if (stored != computed)
            {
                throw Invalid(path, $"checksum mismatch: stored 0x{stored:X8}, computed 0x{computed:X8} over the first {HeaderLength + 4L * count} bytes; the file is corrupt.");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        // Only now, from a complete and verified buffer: the header checks above make this shape valid.
        return new RnnModel(new RnnShape(d, h, o), parameters);
    }

    private static InvalidModelFileException Truncated(string? path, int count, long bytesAfterHeader) =>
        Invalid(path, $"truncated: the header says {count} parameters ({4L * count} bytes) and a {ChecksumLength}-byte checksum follow it, but the file ends {bytesAfterHeader} bytes after the header.");

    private static InvalidModelFileException Invalid(string? path, string problem) =>
        new(path is null ? problem : $"{path}: {problem}");

    /// <summary>Removes our temporary file after a failed save without hiding the failure that is being rethrown.</summary>
    private static void DeleteQuietly(string temporary)
    {
        try
        {
            File.Delete(temporary);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
