using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using Rnn.Fast.Kernels;

namespace Rnn.Fast;

/// <summary>
/// Saves an <see cref="RnnModel"/> to a file or stream and loads it back, bit for bit. Saving to a path is atomic:
/// an error during <see cref="Save(RnnModel, string)"/> leaves the previous file as it was, and a crash leaves the
/// previous file or the complete new one, never a mixture (and perhaps a temporary file, see the method). Loading
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
/// <c>format version</c> (not 1 or 2), <c>invalid size</c> (d, h or o below 1), <c>unknown activation</c>,
/// <c>too large</c> (more parameters than <see cref="RnnShape.MaxParameterCount"/>, a weight pack of the model that
/// would not fit in one array, or a model whose weight packs — which pad their columns to a multiple of 64 — would make
/// the load allocate more than the bound below; the message gives the sizes), <c>parameter count
/// mismatch</c> (P is not the shape's count), <c>truncated</c> (the parameters or the checksum are cut short),
/// <c>checksum mismatch</c>, and for <see cref="Load(string)"/> <c>trailing data</c> after the checksum. Every
/// header field is checked before anything is allocated for the parameters; a stream that can seek must also hold
/// all 4·P + 4 bytes the header announces, and a stream that cannot is read in blocks that grow only as the data
/// arrives. So a forged header costs at most what the stream really holds (about twice that without a length),
/// never what the header asks for.</para>
/// <para>Memory: a load allocates at most <c>16·P + 128·(d + h + o) + 1 MiB</c> bytes in all — c = 4 times the 4·P
/// bytes of parameters the file holds (the parameters, which the model keeps without a copy; the blocks that receive
/// the first half of them from a stream without a length; the six weight packs), plus a term in d + h + o. A file whose
/// model would need more is refused as <c>too large</c> before anything is allocated; in practice these are shapes with
/// a hidden size below about 20 and tens of thousands of inputs or outputs, whose packs are mostly padding.</para>
/// <para>Version 2 (docs/file-format.md) is version 1 with the version field set to 2 and, between the parameters
/// and the checksum, a table of named, typed sections (<see cref="ModelFileSection"/>): the scaling, column names
/// and window length a trained model needs, free-form metadata, and anything a later feature adds, which a reader
/// that does not know it skips. <see cref="Save(RnnModel, string, IEnumerable{ModelFileSection})"/> writes version 2,
/// <see cref="Save(RnnModel, string)"/> version 1; both <see cref="Load(string)"/> and
/// <see cref="LoadContents(string)"/> read either. Load's checks for version 2 add <c>invalid section</c> (a bad
/// name, reserved flag, payload or well-known section), <c>unsupported section</c> (a required section this library
/// does not understand) and <c>too large</c> for a section's length.</para>
/// <para>Threads: every method may run on any thread; a model must not change while it is being saved.</para>
/// </remarks>
public static class RnnModelFile
{
    /// <summary>The magic, bytes 0–3: "RNNF" in ASCII.</summary>
    private static ReadOnlySpan<byte> Magic => "RNNF"u8;

    private const uint FormatVersion = 1;

    /// <summary>The version with a section table between the parameters and the checksum (see <see cref="ModelFileSections"/>).</summary>
    private const uint SectionsFormatVersion = 2;
    private const uint TanhActivation = 1;
    private const int HeaderLength = 32;
    private const int ChecksumLength = sizeof(uint);

    /// <summary>Parameters are converted and checksummed 16,384 at a time (64 KiB): a bounded buffer whatever the model's size.</summary>
    private const int ChunkFloats = 16_384;

    /// <summary>
    /// Saves <paramref name="model"/> to <paramref name="path"/> atomically: it writes the file under a temporary
    /// name in the same folder (<c>path.&lt;16 hexadecimal digits&gt;.tmp</c>, created new, never over an existing
    /// file), flushes it to disk, renames it over <paramref name="path"/>, then flushes the folder (on Linux, macOS and
    /// FreeBSD; see below). A crash at any moment leaves either the previous file or the new one at
    /// <paramref name="path"/>, never a mixture; when the save fails with an exception, the temporary file is
    /// deleted and the previous file is untouched.
    /// </summary>
    /// <remarks>
    /// <para>Temporary files: a process that dies (killed, crashed, or the machine losing power) at any moment after
    /// the temporary file was created and before the rename leaves that file behind, complete or not, beside
    /// <paramref name="path"/>: its name is the target's name, a dot, 16 lowercase hexadecimal digits and
    /// <c>.tmp</c> (for <c>model.rnnf</c>, e.g. <c>model.rnnf.3f09a1c2e4b5d6f7.tmp</c>). Nothing ever reads such
    /// a file; delete it when no save to that path is running. Save does not delete others' temporary files, since
    /// one may belong to a save still running in another process.</para>
    /// <para>Power loss: the file is flushed before the rename, and on Linux, macOS and FreeBSD the folder is flushed
    /// after it (errors of that flush are ignored: the new file is complete either way), so once Save returns the new
    /// file survives a power loss. On Windows the folder is not flushed: a power loss soon after Save returns may bring
    /// back the previous file (still never a mixture).</para>
    /// <para>Threads: the model must not be updated during the save; an update by another thread is detected and the
    /// save fails with <see cref="InvalidOperationException"/>, renaming nothing.</para>
    /// </remarks>
    /// <param name="model">The model to save.</param>
    /// <param name="path">The file to create or replace.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a directory.</exception>
    /// <exception cref="IOException">The file system failed (e.g. <see cref="DirectoryNotFoundException"/>); the
    /// previous file is untouched.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the file may not be written; the previous file is
    /// untouched.</exception>
    /// <exception cref="InvalidOperationException">Another thread updated the model during the save (or was updating
    /// it); the temporary file is deleted and the previous file is untouched.</exception>
    public static void Save(RnnModel model, string path) => Save(model, path, beforeRename: null);

    /// <summary>
    /// <see cref="Save(RnnModel, string)"/> with seams for tests: <paramref name="beforeRename"/> runs with the temporary
    /// file's path after the file is written, flushed and closed, just before the rename (tests throw from it to simulate
    /// a crash between write and rename); <paramref name="flushFolder"/> replaces <see cref="DirectoryFlush.Flush"/>
    /// (tests watch when, and on which folder, it runs).
    /// </summary>
    internal static void Save(RnnModel model, string path, Action<string>? beforeRename, Func<string, bool>? flushFolder = null,
        IReadOnlyList<ModelFileSection>? sections = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        WriteAtomically(path, stream => Write(model, stream, sections), beforeRename, flushFolder);
    }

    /// <summary>
    /// The atomic save of <see cref="Save(RnnModel, string)"/> for any writer (the safetensors export uses it too):
    /// <paramref name="write"/> fills a temporary file in the folder of <paramref name="path"/>, which is flushed to
    /// disk, closed and renamed over <paramref name="path"/>, and then the folder is flushed
    /// (<see cref="DirectoryFlush.Flush"/>, or <paramref name="flushFolder"/> in tests); on failure the temporary file is
    /// deleted. The temporary file's name and when one can be left behind are as <see cref="Save(RnnModel, string)"/> says.
    /// </summary>
    internal static void WriteAtomically(string path, Action<Stream> write, Action<string>? beforeRename, Func<string, bool>? flushFolder = null)
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

        // The rename is durable once the folder's entries are: without this, a power loss soon after the save can bring
        // the old file back (never a mixture). After the rename, so it is outside the try: the new file is in place.
        (flushFolder ?? DirectoryFlush.Flush)(Path.GetDirectoryName(fullPath)!);
    }

    /// <summary>
    /// Writes <paramref name="model"/> in the model-file format at the stream's current position, then flushes the
    /// stream; the stream stays open. Not atomic: use <see cref="Save(RnnModel, string)"/> for files.
    /// </summary>
    /// <param name="model">The model to save.</param>
    /// <param name="stream">A writable stream.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not writable (or is closed); nothing is written.</exception>
    /// <exception cref="InvalidOperationException">Another thread updated the model during the save (or was updating
    /// it): the stream then holds the header and parameters but no checksum, which no load accepts.</exception>
    public static void Save(RnnModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("stream must be writable (it is read-only or closed).", nameof(stream));
        }

        Write(model, stream, sections: null);
        stream.Flush();
    }

    /// <summary>
    /// Saves <paramref name="model"/> and <paramref name="sections"/> to <paramref name="path"/> in format version 2,
    /// atomically, as <see cref="Save(RnnModel, string)"/> does for version 1.
    /// </summary>
    /// <param name="model">The model to save.</param>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="sections">The sections, in the order they are written (none is fine). Names are unique; a
    /// well-known section (<see cref="ModelFileSectionNames"/>) must fit its definition and the model's shape.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/>, <paramref name="path"/> or <paramref name="sections"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a directory, or the sections are
    /// not valid (a null, a repeated name, more than 1024, a well-known section that does not fit); nothing is written.</exception>
    /// <exception cref="IOException">The file system failed; the previous file is untouched.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the file may not be written; the previous file is untouched.</exception>
    public static void Save(RnnModel model, string path, IEnumerable<ModelFileSection> sections)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelFileSection[] checkedSections = ModelFileSections.CheckArgument(sections, model.Shape, nameof(sections));
        Save(model, path, beforeRename: null, sections: checkedSections);
    }

    /// <summary>
    /// Writes <paramref name="model"/> and <paramref name="sections"/> in format version 2 at the stream's current
    /// position, then flushes the stream; the stream stays open. Not atomic.
    /// </summary>
    /// <param name="model">The model to save.</param>
    /// <param name="stream">A writable stream.</param>
    /// <param name="sections">The sections, in the order they are written (see <see cref="Save(RnnModel, string, IEnumerable{ModelFileSection})"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/>, <paramref name="stream"/> or <paramref name="sections"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not writable, or the sections are not valid; nothing is written.</exception>
    public static void Save(RnnModel model, Stream stream, IEnumerable<ModelFileSection> sections)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        ModelFileSection[] checkedSections = ModelFileSections.CheckArgument(sections, model.Shape, nameof(sections));
        if (!stream.CanWrite)
        {
            throw new ArgumentException("stream must be writable (it is read-only or closed).", nameof(stream));
        }

        Write(model, stream, checkedSections);
        stream.Flush();
    }

    /// <summary>
    /// Loads everything the file at <paramref name="path"/> holds — the model, its format version, its checksum and
    /// its sections — with every check of <see cref="Load(string)"/>.
    /// </summary>
    /// <param name="path">The model file, version 1 or 2.</param>
    /// <returns>The verified contents.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="InvalidModelFileException">The file is not a valid model file; the message starts with the path.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="IOException">Reading failed.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read, or <paramref name="path"/> names a directory.</exception>
    public static RnnModelFileContents LoadContents(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var options = new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read, BufferSize = 0, Options = FileOptions.SequentialScan };
        using var stream = new FileStream(path, options);
        RnnModelFileContents contents = Read(stream, path);
        long trailing = stream.Length - stream.Position;
        if (trailing > 0)
        {
            throw Invalid(path, $"trailing data: {trailing} bytes follow the checksum; a model file ends with its checksum.");
        }

        return contents;
    }

    /// <summary>
    /// Loads everything one model file holds from the stream's current position and leaves the stream just after its
    /// checksum, with every check of <see cref="Load(Stream)"/>.
    /// </summary>
    /// <param name="stream">A readable stream; it need not be seekable.</param>
    /// <returns>The verified contents.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable (or is closed); nothing is read.</exception>
    /// <exception cref="InvalidModelFileException">The data is not a valid model file.</exception>
    /// <exception cref="IOException">The stream failed.</exception>
    public static RnnModelFileContents LoadContents(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("stream must be readable (it is write-only or closed).", nameof(stream));
        }

        return Read(stream, path: null);
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
        RnnModel model = Read(stream, path).Model;
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

        return Read(stream, path: null).Model;
    }

    /// <summary>Writes version 1 when <paramref name="sections"/> is null, version 2 with them otherwise.</summary>
    private static void Write(RnnModel model, Stream stream, IReadOnlyList<ModelFileSection>? sections)
    {
        RnnShape shape = model.Shape;
        Span<byte> header = stackalloc byte[HeaderLength];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], sections is null ? FormatVersion : SectionsFormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], shape.InputSize);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], shape.HiddenSize);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], shape.OutputSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], TanhActivation);
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], shape.ParameterCount);

        var crc = new Crc32();
        crc.Append(header);
        stream.Write(header);

        // The parameters are read as one weight set, or the checksum is not written (see RnnModel's threads remarks).
        int version = model.BeginRead();
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

        model.EndRead(version);
        if (sections is not null) ModelFileSections.Write(stream, crc, sections);
        Span<byte> checksum = stackalloc byte[ChecksumLength];
        BinaryPrimitives.WriteUInt32LittleEndian(checksum, crc.GetCurrentHashAsUInt32());
        stream.Write(checksum);
    }

    private static RnnModelFileContents Read(Stream stream, string? path)
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
        if (version != FormatVersion && version != SectionsFormatVersion)
        {
            throw Invalid(path, $"format version {version} is not supported (this library reads versions {FormatVersion} and {SectionsFormatVersion}).");
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

        // Too large: more parameters than one array holds (ModelSizes computes h·(d + h + o + 1) + o exactly for every
        // header), a weight pack that does not fit, or a model whose padded packs would make this load allocate more than
        // 16·P + 128·(d + h + o) + 1 MiB bytes. All from the sizes alone, before anything is allocated for them.
        string? tooLarge = ModelSizes.LoadProblem(d, h, o);
        if (tooLarge is not null) throw Invalid(path, $"too large: {tooLarge}.");

        long needed = (long)RnnShape.ParameterCountOf(d, h, o);
        long declared = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
        if (declared != needed)
        {
            throw Invalid(path, $"parameter count mismatch: the shape d={d}, h={h}, o={o} needs {needed} parameters, but the header says {declared}.");
        }

        int count = (int)needed;
        if (stream.CanSeek)
        {
            long left = Math.Max(0, stream.Length - stream.Position);
            // Version 2's section table sits between the parameters and the checksum: only the parameters are
            // required here, so a cut inside the table reads the same from every kind of stream.
            if (left < 4L * count + (version == FormatVersion ? ChecksumLength : 0)) throw Truncated(path, count, left);
        }

        var crc = new Crc32();
        crc.Append(header);
        float[] parameters;
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkFloats * sizeof(float));
        List<ModelFileSection>? sections = null;
        uint stored;
        try
        {
            long afterHeader = 0;
            if (stream.CanSeek)
            {
                // The stream holds every announced byte (checked above): read them straight into the model's own array.
                parameters = new float[count];
                ReadParameters(stream, parameters, chunk, crc, ref afterHeader, path, count);
            }
            else
            {
                parameters = ReadParametersUnseekable(stream, chunk, crc, ref afterHeader, path, count);
            }

            if (version == SectionsFormatVersion) sections = ModelFileSections.Read(stream, crc, path);
            Span<byte> checksum = chunk.AsSpan(0, ChecksumLength);
            int checksumRead = stream.ReadAtLeast(checksum, ChecksumLength, throwOnEndOfStream: false);
            if (checksumRead < ChecksumLength)
            {
                throw sections is null ? Truncated(path, count, afterHeader + checksumRead) : Invalid(path, "truncated: the file ends inside the checksum after the sections.");
            }
            stored = BinaryPrimitives.ReadUInt32LittleEndian(checksum);
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

        // Only now, from a complete and verified buffer, which the model keeps without a copy: the header checks above
        // make this shape valid and buildable.
        var shape = new RnnShape(d, h, o);
        if (sections is not null) ModelFileSections.Validate(sections, shape, path);
        RnnModel model = RnnModel.FromOwnedParameters(shape, parameters, KernelDispatch.Active);
        return new RnnModelFileContents(model, (int)version, (IReadOnlyList<ModelFileSection>?)sections ?? [], stored);
    }

    /// <summary>
    /// Reads the parameters from a stream without a length, where a forged count must cost no more than about twice what
    /// really arrives: the first half arrives in blocks that double with what has arrived (64 KiB, 64 KiB, 128 KiB, …),
    /// each allocated only when the data before it is in; the array the model keeps is allocated once the first half is
    /// in, and the second half is read straight into it. So the load allocates 1.5·4·P bytes for the parameters in all.
    /// </summary>
    private static float[] ReadParametersUnseekable(Stream stream, byte[] chunk, Crc32 crc, ref long afterHeader, string? path, int count)
    {
        int half = count / 2;
        var blocks = new List<float[]>();
        for (int received = 0; received < half;)
        {
            var block = new float[Math.Min(Math.Max(ChunkFloats, received), half - received)];
            ReadParameters(stream, block, chunk, crc, ref afterHeader, path, count);
            blocks.Add(block);
            received += block.Length;
        }

        var parameters = new float[count];
        int at = 0;
        foreach (float[] block in blocks)
        {
            block.CopyTo(parameters, at);
            at += block.Length;
        }

        ReadParameters(stream, parameters.AsSpan(half), chunk, crc, ref afterHeader, path, count);
        return parameters;
    }

    /// <summary>Fills <paramref name="destination"/> from the stream, 64 KiB at a time, and appends the bytes to the checksum.</summary>
    private static void ReadParameters(Stream stream, Span<float> destination, byte[] chunk, Crc32 crc, ref long afterHeader, string? path, int count)
    {
        for (int filled = 0; filled < destination.Length;)
        {
            int floats = Math.Min(ChunkFloats, destination.Length - filled);
            Span<byte> bytes = chunk.AsSpan(0, floats * sizeof(float));
            int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            afterHeader += read;
            if (read < bytes.Length) throw Truncated(path, count, afterHeader);
            crc.Append(bytes);
            for (int i = 0; i < floats; i++)
            {
                destination[filled + i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
            }

            filled += floats;
        }
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
