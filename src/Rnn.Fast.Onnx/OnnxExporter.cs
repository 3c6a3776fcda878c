using Google.Protobuf;
using Rnn.Fast.Onnx.Export;

namespace Rnn.Fast.Onnx;

/// <summary>
/// Writes an <see cref="RnnModel"/> as an ONNX graph that ONNX Runtime (or any ONNX runtime) runs: one RNN node and
/// its output layer, with symbolic T and n.
/// </summary>
/// <remarks>
/// <para>The graph. Input <see cref="InputName"/> <c>[T, n, d]</c> float32 (time-major, as the engine's buffers),
/// and with <see cref="OnnxExportOptions.InitialHiddenInput"/> the input <see cref="InitialHiddenName"/>
/// <c>[1, n, h]</c>. Initializers W = Wxhᵀ <c>[1, h, d]</c>, R = Whhᵀ <c>[1, h, h]</c>, B = [bh | 0] <c>[1, 2h]</c>
/// (bh as the input bias Wb, zeros as Rb), Who <c>[h, o]</c> and bo <c>[o]</c>. Nodes: RNN (hidden_size h,
/// activations [Tanh], direction forward); for the last step Squeeze of Y_h's direction axis and Gemm(H_T, Who, bo);
/// for every step Squeeze of Y's direction axis, MatMul by Who and Add of bo. Outputs <see cref="OutputName"/>
/// (<c>[n, o]</c> or <c>[T, n, o]</c>) and <see cref="HiddenStateOutputName"/> <c>[1, n, h]</c>, the last hidden
/// state.</para>
/// <para>The weights are written bit for bit (raw little-endian float32), and <see cref="OnnxImporter"/> reads the
/// graph back to the same parameters bit for bit. ONNX Runtime computes the same function in its own order of
/// operations, so its outputs agree with the engine's within float rounding, not bit for bit.</para>
/// <para>Opsets: <see cref="MinimumOpset"/> (the oldest torch.onnx.export writes this graph for, and which ONNX
/// Runtime still runs) to <see cref="MaximumOpset"/>; before 13 Squeeze takes its axes as an attribute, from 13 as an
/// input. The file's IR version is the one that opset came with (4 for opset 9, 7 for opsets 12 to 14).</para>
/// <para>Threads: every method may run on any thread; the model must not change while it is exported.</para>
/// </remarks>
public static class OnnxExporter
{
    /// <summary>The oldest opset written: 9, the oldest at which torch.onnx.export writes nn.RNN without experimental operators.</summary>
    public const int MinimumOpset = 9;

    /// <summary>The newest opset written: 14, the first with the RNN operator's current version.</summary>
    public const int MaximumOpset = 14;

    /// <summary>The opset written unless <see cref="OnnxExportOptions.Opset"/> says otherwise: 14.</summary>
    public const int DefaultOpset = 14;

    /// <summary>The name of the sequence input, <c>[T, n, d]</c>.</summary>
    public const string InputName = "X";

    /// <summary>The name of the optional initial-state input, <c>[1, n, h]</c>.</summary>
    public const string InitialHiddenName = "initial_h";

    /// <summary>The name of the model's output O.</summary>
    public const string OutputName = "O";

    /// <summary>The name of the output that holds the last hidden state H_T, <c>[1, n, h]</c>.</summary>
    public const string HiddenStateOutputName = "Y_h";

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically with the default options: opset
    /// <see cref="DefaultOpset"/>, the last step's output, no initial-state input.</summary>
    /// <param name="model">The model to export.</param>
    /// <param name="path">The .onnx file to create or replace.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a directory.</exception>
    /// <exception cref="IOException">The file system failed; any previous file is untouched.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the file may not be written.</exception>
    /// <exception cref="InvalidOperationException">Another thread updated the model while its parameters were copied;
    /// nothing is written.</exception>
    public static void Export(RnnModel model, string path) => Export(model, path, new OnnxExportOptions());

    /// <summary>Writes <paramref name="model"/> at the stream's position with the default options (opset
    /// <see cref="DefaultOpset"/>, the last step's output, no initial-state input), then flushes the stream.</summary>
    /// <param name="model">The model to export.</param>
    /// <param name="stream">A writable stream.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not writable (or is closed); nothing is written.</exception>
    /// <exception cref="InvalidOperationException">Another thread updated the model while its parameters were copied;
    /// nothing is written.</exception>
    public static void Export(RnnModel model, Stream stream) => Export(model, stream, new OnnxExportOptions());

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> atomically: under a temporary name in the same folder
    /// (<c>path.&lt;random&gt;.tmp</c>), flushed to disk, then renamed over <paramref name="path"/>; a failed export
    /// deletes its temporary file and leaves any previous file untouched.
    /// </summary>
    /// <param name="model">The model to export.</param>
    /// <param name="path">The .onnx file to create or replace.</param>
    /// <param name="options">The opset, output steps and initial-state input.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/>, <paramref name="path"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a directory.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The options' opset is outside <see cref="MinimumOpset"/> to
    /// <see cref="MaximumOpset"/>, or its output steps are not a defined value; nothing is written.</exception>
    /// <exception cref="IOException">The file system failed; any previous file is untouched.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the file may not be written.</exception>
    /// <exception cref="InvalidOperationException">Another thread updated the model while its parameters were copied;
    /// nothing is written.</exception>
    public static void Export(RnnModel model, string path, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = ToBytes(model, options);
        string fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new ArgumentException($"path '{path}' names a directory; a model is exported to a file.", nameof(path));
        }

        string temporary = $"{fullPath}.{Random.Shared.NextInt64():x16}.tmp";
        bool created = false;
        try
        {
            var streamOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            using (var stream = new FileStream(temporary, streamOptions))
            {
                created = true;
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            if (created) DeleteQuietly(temporary);
            throw;
        }
    }

    /// <summary>Writes <paramref name="model"/> as an ONNX model at the stream's position, then flushes the stream; the stream stays open.</summary>
    /// <param name="model">The model to export.</param>
    /// <param name="stream">A writable stream.</param>
    /// <param name="options">The opset, output steps and initial-state input.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/>, <paramref name="stream"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not writable (or is closed); nothing is written.</exception>
    /// <exception cref="InvalidOperationException">Another thread updated the model while its parameters were copied;
    /// nothing is written.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The options' opset or output steps are out of range; nothing is written.</exception>
    public static void Export(RnnModel model, Stream stream, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("stream must be writable (it is read-only or closed).", nameof(stream));
        }

        byte[] bytes = ToBytes(model, options);
        stream.Write(bytes);
        stream.Flush();
    }

    private static byte[] ToBytes(RnnModel model, OnnxExportOptions options)
    {
        if (options.Opset < MinimumOpset || options.Opset > MaximumOpset)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Opset, $"The opset must be {MinimumOpset} to {MaximumOpset}.");
        }

        if (options.OutputSteps is not (OutputSteps.LastStep or OutputSteps.EveryStep))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.OutputSteps, "OutputSteps must be LastStep or EveryStep.");
        }

        return OnnxGraphWriter.Build(model, options).ToByteArray();
    }

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
