namespace Rnn.Fast.Tests.Serialization;

/// <summary>
/// A memory stream that can be made non-seekable (a pipe or socket: no Length, no Position), read-only or
/// write-only, so tests reach every way a stream may refuse what <see cref="RnnModelFile"/> asks of it.
/// </summary>
public sealed class RestrictedStream : Stream
{
    private readonly MemoryStream _inner;
    private readonly bool _canSeek, _canRead, _canWrite;

    /// <summary>Creates a stream over a copy of <paramref name="contents"/>, positioned at its start.</summary>
    /// <param name="contents">What the stream holds.</param>
    /// <param name="canSeek">Whether Length, Position and Seek work.</param>
    /// <param name="canRead">Whether reads work.</param>
    /// <param name="canWrite">Whether writes work.</param>
    public RestrictedStream(byte[] contents, bool canSeek = true, bool canRead = true, bool canWrite = false)
    {
        _inner = new MemoryStream();
        _inner.Write(contents);
        _inner.Position = 0;
        (_canSeek, _canRead, _canWrite) = (canSeek, canRead, canWrite);
    }

    /// <summary>What the stream holds now.</summary>
    public byte[] Contents => _inner.ToArray();

    /// <summary>Where the next read or write happens, whatever <see cref="CanSeek"/> says (for assertions).</summary>
    public long ActualPosition => _inner.Position;

    /// <inheritdoc/>
    public override bool CanSeek => _canSeek && _inner.CanSeek;

    /// <inheritdoc/>
    public override bool CanRead => _canRead && _inner.CanRead;

    /// <inheritdoc/>
    public override bool CanWrite => _canWrite && _inner.CanWrite;

    /// <inheritdoc/>
    public override long Length => CanSeek ? _inner.Length : throw new NotSupportedException("not seekable");

    /// <inheritdoc/>
    public override long Position
    {
        get => CanSeek ? _inner.Position : throw new NotSupportedException("not seekable");
        set => _inner.Position = CanSeek ? value : throw new NotSupportedException("not seekable");
    }

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) =>
        CanRead ? _inner.Read(buffer, offset, count) : throw new NotSupportedException("not readable");

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) =>
        CanSeek ? _inner.Seek(offset, origin) : throw new NotSupportedException("not seekable");

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException("fixed length");

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count)
    {
        if (!CanWrite) throw new NotSupportedException("not writable");
        _inner.Write(buffer, offset, count);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }

}
