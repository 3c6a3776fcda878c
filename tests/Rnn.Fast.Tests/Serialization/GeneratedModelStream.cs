using System.Buffers.Binary;
using System.IO.Hashing;

namespace Rnn.Fast.Tests.Serialization;

/// <summary>
/// A read-only stream of a valid model file of shape d, h, o whose parameters are all zero, generated as it is read
/// (header from the documented layout, zeros, then the CRC-32 of everything served, from System.IO.Hashing): a
/// checksummed file of any size without holding its bytes. Only sequential reads; seekable or not.
/// </summary>
public sealed class GeneratedModelStream : Stream
{
    private readonly byte[] _header = new byte[ModelFileBytes.HeaderLength];
    private readonly long _parameterBytes;
    private readonly bool _canSeek;
    private readonly Crc32 _crc = new();
    private readonly byte[] _checksum = new byte[4];
    private long _position;

    /// <summary>Creates the stream at the start of the file.</summary>
    /// <param name="d">The input size.</param>
    /// <param name="h">The hidden size.</param>
    /// <param name="o">The output size.</param>
    /// <param name="canSeek">Whether Length and Position work (a file) or not (a pipe).</param>
    public GeneratedModelStream(int d, int h, int o, bool canSeek)
    {
        long count = (long)h * ((long)d + h + o + 1) + o;
        "RNNF"u8.CopyTo(_header);
        BinaryPrimitives.WriteUInt32LittleEndian(_header.AsSpan(ModelFileBytes.VersionOffset), 1);
        BinaryPrimitives.WriteInt32LittleEndian(_header.AsSpan(ModelFileBytes.InputSizeOffset), d);
        BinaryPrimitives.WriteInt32LittleEndian(_header.AsSpan(ModelFileBytes.HiddenSizeOffset), h);
        BinaryPrimitives.WriteInt32LittleEndian(_header.AsSpan(ModelFileBytes.OutputSizeOffset), o);
        BinaryPrimitives.WriteUInt32LittleEndian(_header.AsSpan(ModelFileBytes.ActivationOffset), 1);
        BinaryPrimitives.WriteInt64LittleEndian(_header.AsSpan(ModelFileBytes.CountOffset), count);
        _parameterBytes = 4 * count;
        _canSeek = canSeek;
    }

    /// <summary>How many bytes have been read, whatever <see cref="CanSeek"/> says (for assertions).</summary>
    public long ActualPosition => _position;

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => _canSeek;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => _canSeek ? ModelFileBytes.HeaderLength + _parameterBytes + 4 : throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => _canSeek ? _position : throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        long headerEnd = ModelFileBytes.HeaderLength, parametersEnd = headerEnd + _parameterBytes, end = parametersEnd + 4;
        int written = 0;
        while (written < buffer.Length && _position < end)
        {
            Span<byte> to = buffer[written..];
            int n;
            if (_position < headerEnd)
            {
                n = (int)Math.Min(to.Length, headerEnd - _position);
                _header.AsSpan((int)_position, n).CopyTo(to);
                _crc.Append(to[..n]);
            }
            else if (_position < parametersEnd)
            {
                n = (int)Math.Min(to.Length, parametersEnd - _position);
                to[..n].Clear();
                _crc.Append(to[..n]);
            }
            else
            {
                if (_position == parametersEnd) BinaryPrimitives.WriteUInt32LittleEndian(_checksum, _crc.GetCurrentHashAsUInt32());
                n = (int)Math.Min(to.Length, end - _position);
                _checksum.AsSpan((int)(_position - parametersEnd), n).CopyTo(to);
            }

            written += n;
            _position += n;
        }

        return written;
    }

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
