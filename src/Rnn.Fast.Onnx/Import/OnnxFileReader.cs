using Google.Protobuf;
using Rnn.Fast.Onnx.Protobuf;

namespace Rnn.Fast.Onnx.Import;

/// <summary>
/// Reads a whole ONNX file into memory, within <see cref="OnnxImporter.MaxFileLength"/>, and parses it with the
/// protobuf parser's size limit set to the data's length and its nesting limit to
/// <see cref="OnnxImporter.MaxNestingDepth"/>. Fields this library's schema does not model are discarded, not kept.
/// </summary>
internal static class OnnxFileReader
{
    private const int Chunk = 64 * 1024;

    private static readonly MessageParser<ModelProto> Parser = ModelProto.Parser.WithDiscardUnknownFields(true);

    /// <summary>The parsed model; the stream is read from its position to its end.</summary>
    public static ModelProto Read(Stream stream, string? path)
    {
        (byte[] data, int length) = ReadAll(stream, path);
        try
        {
            // A length-known source and a size limit of exactly that length: a length field that points past the
            // end fails at once as truncated, whatever it announces, and nothing is allocated for it.
            using var source = new MemoryStream(data, 0, length, writable: false);
            using CodedInputStream input = CodedInputStream.CreateWithLimits(source, Math.Max(1, length), OnnxImporter.MaxNestingDepth);
            return Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException error)
        {
            throw OnnxErrors.File(path, OnnxModelProblem.Malformed, $"malformed: the file is not a valid ONNX protobuf ({error.Message.TrimEnd('.')}).", error);
        }
    }

    private static (byte[] Data, int Length) ReadAll(Stream stream, string? path)
    {
        if (stream.CanSeek)
        {
            long left = Math.Max(0, stream.Length - stream.Position);
            if (left > OnnxImporter.MaxFileLength) throw TooLarge(path, left);
            var data = new byte[left];
            int read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
            return (data, read);
        }

        // Unknown length: a buffer that doubles as data arrives, so it is never more than twice what was sent.
        byte[] buffer = new byte[Chunk];
        int filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (buffer.Length == OnnxImporter.MaxFileLength)
                {
                    if (stream.ReadByte() < 0) return (buffer, filled);
                    throw TooLarge(path, (long)filled + 1);
                }

                Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, OnnxImporter.MaxFileLength));
            }

            int read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0) return (buffer, filled);
            filled += read;
        }
    }

    private static InvalidOnnxModelException TooLarge(string? path, long length) =>
        OnnxErrors.File(path, OnnxModelProblem.TooLarge,
            $"too large: {length}{(length > OnnxImporter.MaxFileLength ? "" : " or more")} bytes; an ONNX protobuf holds at most {OnnxImporter.MaxFileLength} bytes (models with external data files are not supported).");
}
