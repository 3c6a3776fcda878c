using Rnn.Fast.Onnx.Import;

namespace Rnn.Fast.Onnx;

/// <summary>
/// Reads an ONNX model that computes an Elman RNN — what <c>torch.onnx.export</c> writes for <c>nn.RNN</c> (one layer,
/// tanh) followed by an optional <c>nn.Linear</c> — into an <see cref="RnnModel"/>, and says how the graph's inputs
/// and outputs relate to it (<see cref="OnnxImportResult"/>). A graph that computes anything else is refused with
/// <see cref="InvalidOnnxModelException"/> naming the node and what is not supported: the importer never returns a
/// model that computes something different from the file.
/// </summary>
/// <remarks>
/// <para>What a graph may contain:</para>
/// <list type="bullet">
/// <item><description>Exactly one <c>RNN</c> node: direction forward, activation Tanh, no clip, layout 0 or 1; W, R
/// and B (or no B: zero biases) as initializers or Constant nodes; sequence_lens absent (or a constant equal to a
/// fixed T); initial_h absent, a graph input, a constant of zeros, or the zero tensor built from the input's batch
/// size (Shape → Gather → Unsqueeze → Concat → ConstantOfShape, fed by Constant nodes).</description></item>
/// <item><description>Optionally one output layer on the last hidden state Y_h or on every step's Y: <c>Gemm</c>
/// (any transA, transB, alpha, beta; C a constant over the output features) or <c>MatMul</c> by a constant
/// [h, o] matrix, optionally followed by an <c>Add</c> of a constant bias.</description></item>
/// <item><description>Plumbing that only drops, inserts or permutes axes without moving the features:
/// <c>Squeeze</c>, <c>Unsqueeze</c>, <c>Transpose</c>, <c>Identity</c>, <c>Reshape</c> by a constant or the
/// input's own sizes, and <c>Gather</c> of index 0 (or −1) on a size-1 axis, or of index −1 on the time axis (the
/// last step).</description></item>
/// </list>
/// <para>Opsets 7 to 23 of the standard domain are read. The parameters map as the ONNX RNN defines them:
/// Wxh = W[0]ᵀ, Whh = R[0]ᵀ, bh = Wb + Rb (one float rounding when both are non-zero; Wb's bits when Rb is zero),
/// Who and bo from the output layer (Who = alpha·B′, bo = beta·C, exact when alpha and beta are 1).</para>
/// <para>Safety: the whole file is read into memory first, from a stream of known length (a path, a seekable stream)
/// in one buffer of exactly the remaining length, from any other stream in chunks into a buffer that grows only as
/// data arrives, at most <see cref="MaxFileLength"/> bytes. The protobuf parser then runs with a size limit equal to
/// the data's length and a nesting limit of <see cref="MaxNestingDepth"/>, so a forged length field fails as
/// truncated instead of allocating what it announces; every tensor's element count is checked against the data it
/// really holds before anything is allocated for it.</para>
/// <para>Threads: every method may run on any thread.</para>
/// </remarks>
public static class OnnxImporter
{
    /// <summary>The largest file the importer reads: the protobuf format's limit for one message, 2 GiB − 1 bytes.
    /// Models with weights in external data files are not supported.</summary>
    public const int MaxFileLength = int.MaxValue;

    /// <summary>The deepest nesting of protobuf messages the parser accepts (the ONNX messages read here nest at most 7 deep).</summary>
    public const int MaxNestingDepth = 32;

    /// <summary>Imports the ONNX model in the file at <paramref name="path"/>.</summary>
    /// <param name="path">The .onnx file.</param>
    /// <returns>The model and what the graph showed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="InvalidOnnxModelException">The file is not an ONNX model this library can import; the message
    /// starts with the path and names the node or tensor and what is wrong.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="IOException">Reading failed.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read, or <paramref name="path"/> names a directory.</exception>
    public static OnnxImportResult Import(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var options = new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read, Options = FileOptions.SequentialScan };
        using var stream = new FileStream(path, options);
        return OnnxGraphAnalyzer.Analyze(OnnxFileReader.Read(stream, path), path);
    }

    /// <summary>Imports the ONNX model held by the rest of <paramref name="stream"/>, read from its current position to
    /// its end; the stream stays open.</summary>
    /// <param name="stream">A readable stream; it need not be seekable.</param>
    /// <returns>The model and what the graph showed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable (or is closed); nothing is read.</exception>
    /// <exception cref="InvalidOnnxModelException">The data is not an ONNX model this library can import; the message
    /// names the node or tensor and what is wrong.</exception>
    /// <exception cref="IOException">The stream failed.</exception>
    public static OnnxImportResult Import(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("stream must be readable (it is write-only or closed).", nameof(stream));
        }

        return OnnxGraphAnalyzer.Analyze(OnnxFileReader.Read(stream, path: null), path: null);
    }
}
