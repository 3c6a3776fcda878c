using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;

namespace Rnn.Fast.Interop;

/// <summary>
/// Loads the state_dict of a PyTorch <c>nn.RNN</c> + <c>nn.Linear</c> head saved as safetensors into an
/// <see cref="RnnModel"/>, and saves an <see cref="RnnModel"/> as a state_dict PyTorch's
/// <c>model.load_state_dict(safetensors.torch.load_file(path))</c> takes back.
/// </summary>
/// <remarks>
/// <para>The model: <c>nn.RNN(d, h, num_layers=1, nonlinearity='tanh')</c> (batch_first either way: it does not
/// change the weights) followed by <c>nn.Linear(h, o)</c>. The tensors, under the modules' prefixes (for example
/// <c>rnn.</c> and <c>fc.</c>): <c>weight_ih_l0</c> [h, d] → Wxh = weight_ih_l0ᵀ, <c>weight_hh_l0</c> [h, h] →
/// Whh = weight_hh_l0ᵀ, <c>bias_ih_l0</c> [h] and <c>bias_hh_l0</c> [h] → bh = bias_ih_l0 + bias_hh_l0, the
/// head's <c>weight</c> [o, h] → Who = weightᵀ and <c>bias</c> [o] → bo.</para>
/// <para>The bias sum is one float32 addition per element, rounded to nearest even; when either bias is ±0, bh is the
/// other bit for bit (so a file this class saved, whose bias_hh_l0 is zero, loads back exactly). In exact arithmetic
/// the model is PyTorch's: its cell computes tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh). In float32 neither engine
/// is bit-exact with the other: PyTorch adds b_ih and b_hh inside the cell in its own order (each to its own
/// matrix product, then the two sums), Rnn.Fast starts one chain of fused multiply-adds from the folded bh, and the
/// tanh implementations differ. The outputs agree to within float32 rounding, and the tests bound the difference.
/// Training after an import is not PyTorch's training: PyTorch's two biases get equal gradients, so one SGD step
/// moves their sum by 2·lr·∂L/∂b where Rnn.Fast's one bias moves by lr·∂L/∂bh.</para>
/// <para>Models without biases: <c>nn.RNN(bias=False)</c> has no bias keys and gives bh = 0;
/// <c>nn.Linear(bias=False)</c> has no bias key and gives bo = 0.</para>
/// <para>Prefixes: given in <see cref="PyTorchImportOptions"/> or found when the file leaves no doubt (one key ending
/// in <c>weight_ih_l0</c>; one rank-2 <c>weight</c> outside the RNN with h columns). Every key under the RNN's prefix
/// other than its four tensors (<c>weight_ih_l1</c>, <c>…_reverse</c>, anything else) is an error naming it, and so
/// is every key under the head's prefix other than weight and bias. Keys outside both modules (other modules'
/// parameters, buffers such as a normaliser's mean) are left alone and listed in
/// <see cref="PyTorchImport.IgnoredTensors"/>; their headers are still checked, their data never read.</para>
/// <para>dtypes: F32 is taken bit for bit; F64 is rounded to the nearest float32 (ties to even; beyond float32's range
/// it becomes ±∞), F16 and BF16 widen exactly; NaN stays NaN (payloads are kept for F32 and BF16 only). Any other
/// dtype in a tensor the model uses is an error naming the tensor and the dtype.</para>
/// <para>Errors. A load returns a complete model or throws, and reads nothing it does not need: a bad file throws
/// <see cref="InvalidModelFileException"/> whose message starts with the file's path (for a path) and then the
/// problem's name: <c>truncated</c>, <c>header too large</c> (more than 100,000,000 bytes), <c>invalid header</c>
/// (not a JSON object, invalid UTF-8, a duplicate key, a malformed entry, an unknown dtype), <c>shape overflow</c>,
/// <c>invalid offsets</c> (a tensor's offsets disagree with its size, or the tensors do not tile the data section
/// without gaps or overlaps), <c>trailing data</c> (for a path: bytes after the data section), <c>no recurrent
/// layer</c>, <c>no head</c>, <c>ambiguous</c> (the message lists the candidate prefixes), <c>missing tensor</c>,
/// <c>unexpected tensor</c>, <c>wrong shape</c> (with the expected shape; an LSTM's or GRU's weights are named as
/// such), <c>unsupported dtype</c>, <c>too large</c> and <c>metadata mismatch</c>. A ReLU RNN throws
/// <see cref="NotSupportedException"/>; a failing stream or disk throws its own <see cref="IOException"/>. Sizes
/// are checked against the stream's length before anything is allocated for them, and a stream that cannot seek
/// is read into buffers that grow only as data arrives.</para>
/// <para>Saving writes F32 tensors under the same names (prefixes <c>rnn.</c> and <c>fc.</c> unless
/// <see cref="PyTorchExportOptions"/> says otherwise), <c>bias_ih_l0</c> = bh and <c>bias_hh_l0</c> = 0, the header
/// padded with spaces to a multiple of 8 bytes, and <c>__metadata__</c> with <c>format</c> = <c>pt</c>,
/// <c>rnn_fast.nonlinearity</c> = <c>tanh</c> and the shape as <c>rnn_fast.input_size</c>,
/// <c>rnn_fast.hidden_size</c> and <c>rnn_fast.output_size</c>. Every float's bits are stored as they are, so
/// saving and loading gives back the same model bit for bit, NaN payloads included.</para>
/// <para>Threads: every method may run on any thread; a model must not change while it is being saved.</para>
/// </remarks>
public static class PyTorchSafetensors
{
    private const int ChunkFloats = 16_384;

    /// <summary>Loads an nn.RNN + nn.Linear state_dict from a safetensors file, finding the prefixes and assuming tanh unless the file's metadata says otherwise; <see cref="Load(string, PyTorchImportOptions?)"/> with no options.</summary>
    /// <param name="path">The safetensors file; it must end where its data section does.</param>
    /// <returns>The model and what the import found.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="NotSupportedException">The file's metadata says the RNN is a ReLU RNN.</exception>
    /// <exception cref="InvalidModelFileException">The file is not a valid safetensors file or does not hold a supported model.</exception>
    /// <exception cref="IOException">Reading failed (<see cref="FileNotFoundException"/> when there is no file).</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static PyTorchImport Load(string path) => Load(path, options: null);

    /// <summary>Loads an nn.RNN + nn.Linear state_dict from a safetensors file (see <see cref="PyTorchSafetensors"/>).</summary>
    /// <param name="path">The safetensors file; it must end where its data section does.</param>
    /// <param name="options">Prefixes and nonlinearity, when the file cannot tell them; null for none.</param>
    /// <returns>The model and what the import found.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or the given prefixes overlap.</exception>
    /// <exception cref="NotSupportedException">The RNN is a ReLU RNN (the caller or the file's metadata says so).</exception>
    /// <exception cref="InvalidModelFileException">The file is not a valid safetensors file or does not hold a
    /// supported model; the message starts with the path and says what is wrong.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="IOException">Reading failed.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static PyTorchImport Load(string path, PyTorchImportOptions? options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options = CheckOptions(options, sameFile: true);
        using FileStream stream = OpenRead(path);
        SafetensorsHeader header = SafetensorsReader.ReadHeader(stream, path);
        var mapping = PyTorchStateDictMapping.Resolve(header, path, null, null, options);
        Dictionary<string, float[]> tensors = ReadData(stream, header, mapping.RnnFileTensors(headInSameFile: true), path, requireEnd: true);
        return Build(mapping, tensors, tensors, header, path, path);
    }

    /// <summary>Loads an nn.RNN + nn.Linear state_dict from a stream with no options; see <see cref="Load(Stream, PyTorchImportOptions?)"/>.</summary>
    /// <param name="stream">A readable stream; it need not be seekable.</param>
    /// <returns>The model and what the import found.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable.</exception>
    /// <exception cref="NotSupportedException">The file's metadata says the RNN is a ReLU RNN.</exception>
    /// <exception cref="InvalidModelFileException">The data is not a valid safetensors file or does not hold a supported model.</exception>
    /// <exception cref="IOException">The stream failed.</exception>
    public static PyTorchImport Load(Stream stream) => Load(stream, options: null);

    /// <summary>
    /// Loads an nn.RNN + nn.Linear state_dict from the stream's current position and leaves the stream just after the
    /// data section; the stream stays open. After a failure the position is anywhere up to where the problem was found.
    /// </summary>
    /// <param name="stream">A readable stream; it need not be seekable.</param>
    /// <param name="options">Prefixes and nonlinearity, when the file cannot tell them; null for none.</param>
    /// <returns>The model and what the import found.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable, or the given prefixes overlap.</exception>
    /// <exception cref="NotSupportedException">The RNN is a ReLU RNN (the caller or the file's metadata says so).</exception>
    /// <exception cref="InvalidModelFileException">The data is not a valid safetensors file or does not hold a supported model.</exception>
    /// <exception cref="IOException">The stream failed.</exception>
    public static PyTorchImport Load(Stream stream, PyTorchImportOptions? options)
    {
        RequireReadable(stream, nameof(stream));
        options = CheckOptions(options, sameFile: true);
        SafetensorsHeader header = SafetensorsReader.ReadHeader(stream, null);
        var mapping = PyTorchStateDictMapping.Resolve(header, null, null, null, options);
        Dictionary<string, float[]> tensors = ReadData(stream, header, mapping.RnnFileTensors(headInSameFile: true), null, requireEnd: false);
        return Build(mapping, tensors, tensors, header, null, null);
    }

    /// <summary>Loads an nn.RNN and its nn.Linear head from two files with no options; see <see cref="LoadWithSeparateHead(string, string, PyTorchImportOptions?)"/>.</summary>
    /// <param name="rnnPath">The file that holds the RNN.</param>
    /// <param name="headPath">The file that holds the head.</param>
    /// <returns>The model and what the import found.</returns>
    /// <exception cref="ArgumentNullException">A path is null.</exception>
    /// <exception cref="ArgumentException">A path is empty.</exception>
    /// <exception cref="NotSupportedException">The file's metadata says the RNN is a ReLU RNN.</exception>
    /// <exception cref="InvalidModelFileException">A file is invalid or does not hold its part of a supported model.</exception>
    /// <exception cref="IOException">Reading failed (<see cref="FileNotFoundException"/> when a file does not exist).</exception>
    /// <exception cref="UnauthorizedAccessException">A file may not be read.</exception>
    public static PyTorchImport LoadWithSeparateHead(string rnnPath, string headPath) => LoadWithSeparateHead(rnnPath, headPath, options: null);

    /// <summary>
    /// Loads an nn.RNN and its nn.Linear head saved in two files (for example <c>rnn.state_dict()</c> and
    /// <c>fc.state_dict()</c> saved apart). Tensors of the RNN's file that are not the RNN's are left alone and listed,
    /// and so are those of the head's file that are not the head's.
    /// </summary>
    /// <param name="rnnPath">The file that holds the RNN.</param>
    /// <param name="headPath">The file that holds the head.</param>
    /// <param name="options">Prefixes (each within its own file) and nonlinearity; null for none.</param>
    /// <returns>The model and what the import found.</returns>
    /// <exception cref="ArgumentNullException">A path is null.</exception>
    /// <exception cref="ArgumentException">A path is empty.</exception>
    /// <exception cref="NotSupportedException">The RNN is a ReLU RNN (the caller or the file's metadata says so).</exception>
    /// <exception cref="InvalidModelFileException">A file is invalid or does not hold its part of a supported model;
    /// the message starts with that file's path.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="IOException">Reading failed.</exception>
    /// <exception cref="UnauthorizedAccessException">A file may not be read.</exception>
    public static PyTorchImport LoadWithSeparateHead(string rnnPath, string headPath, PyTorchImportOptions? options)
    {
        ArgumentException.ThrowIfNullOrEmpty(rnnPath);
        ArgumentException.ThrowIfNullOrEmpty(headPath);
        options = CheckOptions(options, sameFile: false);
        using FileStream rnnStream = OpenRead(rnnPath);
        using FileStream headStream = OpenRead(headPath);
        return LoadTwo(rnnStream, rnnPath, headStream, headPath, options, requireEnd: true);
    }

    /// <summary>Loads an nn.RNN and its nn.Linear head from two streams with no options; see <see cref="LoadWithSeparateHead(Stream, Stream, PyTorchImportOptions?)"/>.</summary>
    /// <param name="rnnStream">A readable stream that holds the RNN.</param>
    /// <param name="headStream">A readable stream that holds the head.</param>
    /// <returns>The model and what the import found.</returns>
    /// <exception cref="ArgumentNullException">A stream is null.</exception>
    /// <exception cref="ArgumentException">A stream is not readable.</exception>
    /// <exception cref="NotSupportedException">The file's metadata says the RNN is a ReLU RNN.</exception>
    /// <exception cref="InvalidModelFileException">A stream does not hold a valid file with its part of a supported model.</exception>
    /// <exception cref="IOException">A stream failed.</exception>
    public static PyTorchImport LoadWithSeparateHead(Stream rnnStream, Stream headStream) => LoadWithSeparateHead(rnnStream, headStream, options: null);

    /// <summary>
    /// Loads an nn.RNN and its nn.Linear head from two streams (see
    /// <see cref="LoadWithSeparateHead(string, string, PyTorchImportOptions?)"/>); each stream is left just after its
    /// data section and stays open.
    /// </summary>
    /// <param name="rnnStream">A readable stream that holds the RNN.</param>
    /// <param name="headStream">A readable stream that holds the head.</param>
    /// <param name="options">Prefixes (each within its own file) and nonlinearity; null for none.</param>
    /// <returns>The model and what the import found.</returns>
    /// <exception cref="ArgumentNullException">A stream is null.</exception>
    /// <exception cref="ArgumentException">A stream is not readable.</exception>
    /// <exception cref="NotSupportedException">The RNN is a ReLU RNN (the caller or the file's metadata says so).</exception>
    /// <exception cref="InvalidModelFileException">A stream does not hold a valid file with its part of a supported model.</exception>
    /// <exception cref="IOException">A stream failed.</exception>
    public static PyTorchImport LoadWithSeparateHead(Stream rnnStream, Stream headStream, PyTorchImportOptions? options)
    {
        RequireReadable(rnnStream, nameof(rnnStream));
        RequireReadable(headStream, nameof(headStream));
        options = CheckOptions(options, sameFile: false);
        return LoadTwo(rnnStream, null, headStream, null, options, requireEnd: false);
    }

    /// <summary>
    /// Saves <paramref name="model"/> atomically as a PyTorch state_dict with the keys <c>rnn.*</c> and <c>fc.*</c>;
    /// see <see cref="Save(RnnModel, string, PyTorchExportOptions?)"/>.
    /// </summary>
    /// <param name="model">The model to save.</param>
    /// <param name="path">The file to create or replace.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a directory.</exception>
    /// <exception cref="IOException">The file system failed; the previous file is untouched.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the file may not be written; the previous file is untouched.</exception>
    /// <exception cref="InvalidOperationException">Another thread updated the model during the save (or was updating it):
    /// nothing is written (to a path: nothing is renamed, the previous file is untouched).</exception>
    public static void Save(RnnModel model, string path) => Save(model, path, options: null);

    /// <summary>
    /// Saves <paramref name="model"/> as a PyTorch state_dict in safetensors (see <see cref="PyTorchSafetensors"/>),
    /// atomically: the file is written under a temporary name in the same folder, flushed to disk and renamed over
    /// <paramref name="path"/>, so a crash leaves the previous file or the new one, and a failed save leaves the
    /// previous file untouched.
    /// </summary>
    /// <param name="model">The model to save.</param>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="options">The key prefixes; null for <c>rnn.</c> and <c>fc.</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a directory, or the prefixes overlap.</exception>
    /// <exception cref="IOException">The file system failed; the previous file is untouched.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the file may not be written; the previous file is untouched.</exception>
    /// <exception cref="InvalidOperationException">Another thread updated the model during the save (or was updating it):
    /// nothing is written (to a path: nothing is renamed, the previous file is untouched).</exception>
    public static void Save(RnnModel model, string path, PyTorchExportOptions? options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        options = CheckOptions(options);
        RnnModelFile.WriteAtomically(path, stream => Write(model, stream, options), beforeRename: null);
    }

    /// <summary>
    /// Writes <paramref name="model"/> as a PyTorch state_dict with the keys <c>rnn.*</c> and <c>fc.*</c> to a stream;
    /// see <see cref="Save(RnnModel, Stream, PyTorchExportOptions?)"/>.
    /// </summary>
    /// <param name="model">The model to save.</param>
    /// <param name="stream">A writable stream.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not writable; nothing is written.</exception>
    /// <exception cref="InvalidOperationException">Another thread updated the model during the save (or was updating it):
    /// nothing is written (to a path: nothing is renamed, the previous file is untouched).</exception>
    public static void Save(RnnModel model, Stream stream) => Save(model, stream, options: null);

    /// <summary>
    /// Writes <paramref name="model"/> as a PyTorch state_dict in safetensors at the stream's position, then flushes
    /// the stream; the stream stays open. Not atomic: use <see cref="Save(RnnModel, string, PyTorchExportOptions?)"/> for files.
    /// </summary>
    /// <param name="model">The model to save.</param>
    /// <param name="stream">A writable stream.</param>
    /// <param name="options">The key prefixes; null for <c>rnn.</c> and <c>fc.</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not writable, or the prefixes overlap; nothing is written.</exception>
    /// <exception cref="InvalidOperationException">Another thread updated the model during the save (or was updating it):
    /// nothing is written (to a path: nothing is renamed, the previous file is untouched).</exception>
    public static void Save(RnnModel model, Stream stream, PyTorchExportOptions? options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("stream must be writable (it is read-only or closed).", nameof(stream));
        }

        options = CheckOptions(options);
        Write(model, stream, options);
        stream.Flush();
    }

    private static PyTorchImport LoadTwo(Stream rnnStream, string? rnnPath, Stream headStream, string? headPath, PyTorchImportOptions options, bool requireEnd)
    {
        SafetensorsHeader rnnHeader = SafetensorsReader.ReadHeader(rnnStream, rnnPath);
        SafetensorsHeader headHeader = SafetensorsReader.ReadHeader(headStream, headPath);
        var mapping = PyTorchStateDictMapping.Resolve(rnnHeader, rnnPath, headHeader, headPath, options);
        Dictionary<string, float[]> rnnTensors = ReadData(rnnStream, rnnHeader, mapping.RnnFileTensors(headInSameFile: false), rnnPath, requireEnd);
        Dictionary<string, float[]> headTensors = ReadData(headStream, headHeader, mapping.HeadFileTensors(), headPath, requireEnd);
        return Build(mapping, rnnTensors, headTensors, rnnHeader, rnnPath, headPath);
    }

    private static PyTorchImportOptions CheckOptions(PyTorchImportOptions? options, bool sameFile)
    {
        options ??= new PyTorchImportOptions();
        if (options.Nonlinearity == RnnNonlinearity.Relu)
        {
            throw new NotSupportedException("nn.RNN(nonlinearity='relu') is not supported: Rnn.Fast runs tanh only.");
        }

        if (sameFile && options.RnnPrefix is string rnn && options.HeadPrefix is string head && !ModulePrefix.AreDisjoint(rnn, head))
        {
            throw new ArgumentException($"The RNN's prefix '{rnn}' and the head's prefix '{head}' overlap; nn.RNN and nn.Linear are leaf modules, so neither prefix can start with the other.", nameof(options));
        }

        return options;
    }

    private static PyTorchExportOptions CheckOptions(PyTorchExportOptions? options)
    {
        options ??= new PyTorchExportOptions();
        if (!ModulePrefix.AreDisjoint(options.RnnPrefix, options.HeadPrefix))
        {
            throw new ArgumentException($"The RNN's prefix '{options.RnnPrefix}' and the head's prefix '{options.HeadPrefix}' overlap; PyTorch could not load such keys into an nn.RNN and an nn.Linear.", nameof(options));
        }

        return options;
    }

    private static void RequireReadable(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream, name);
        if (!stream.CanRead)
        {
            throw new ArgumentException($"{name} must be readable (it is write-only or closed).", name);
        }
    }

    private static FileStream OpenRead(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read, BufferSize = 0, Options = FileOptions.SequentialScan,
    });

    private static Dictionary<string, float[]> ReadData(Stream stream, SafetensorsHeader header, HashSet<string> wanted, string? path, bool requireEnd)
    {
        Dictionary<string, float[]> tensors = SafetensorsReader.ReadTensors(stream, header, wanted, path);
        if (requireEnd)
        {
            long trailing = stream.Length - stream.Position;
            if (trailing > 0)
            {
                throw SafetensorsErrors.Invalid(path, $"trailing data: {trailing} bytes follow the data section; a safetensors file ends with its last tensor.");
            }
        }

        return tensors;
    }

    /// <summary>Transposes the weights, sums the biases and builds the model and the report.</summary>
    private static PyTorchImport Build(PyTorchStateDictMapping mapping, Dictionary<string, float[]> rnnTensors, Dictionary<string, float[]> headTensors,
        SafetensorsHeader rnnHeader, string? rnnPath, string? headPath)
    {
        RnnShape shape = mapping.Shape;
        int d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize;
        var parameters = new float[shape.ParameterCount];
        Transpose(rnnTensors[mapping.InputWeights.Name], h, d, shape.Wxh<float>(parameters));
        Transpose(rnnTensors[mapping.RecurrentWeights.Name], h, h, shape.Whh<float>(parameters));
        if (mapping.InputBias is not null && mapping.RecurrentBias is not null)
        {
            float[] inputBias = rnnTensors[mapping.InputBias.Name], recurrentBias = rnnTensors[mapping.RecurrentBias.Name];
            Span<float> bh = shape.Bh<float>(parameters);
            for (int j = 0; j < h; j++) bh[j] = AddBiases(inputBias[j], recurrentBias[j]);
        }

        Transpose(headTensors[mapping.OutputWeights.Name], o, h, shape.Who<float>(parameters));
        if (mapping.OutputBias is not null) headTensors[mapping.OutputBias.Name].CopyTo(shape.Bo<float>(parameters));

        var used = new List<ImportedTensor>
        {
            Used(mapping.InputWeights, rnnPath, RnnParameter.Wxh, transposed: true),
            Used(mapping.RecurrentWeights, rnnPath, RnnParameter.Whh, transposed: true),
        };
        if (mapping.InputBias is not null) used.Add(Used(mapping.InputBias, rnnPath, RnnParameter.Bh, transposed: false));
        if (mapping.RecurrentBias is not null) used.Add(Used(mapping.RecurrentBias, rnnPath, RnnParameter.Bh, transposed: false));
        used.Add(Used(mapping.OutputWeights, headPath, RnnParameter.Who, transposed: true));
        if (mapping.OutputBias is not null) used.Add(Used(mapping.OutputBias, headPath, RnnParameter.Bo, transposed: false));

        SafetensorsTensorInfo[] ignored = [.. mapping.Ignored.Select(e => e.ToInfo(rnnPath)), .. mapping.IgnoredInHeadFile.Select(e => e.ToInfo(headPath))];
        return new PyTorchImport(new RnnModel(shape, parameters), mapping.RnnPrefix, mapping.RnnPrefixFound, mapping.HeadPrefix, mapping.HeadPrefixFound,
            mapping.NonlinearitySource, used.AsReadOnly(), Array.AsReadOnly(ignored), new Dictionary<string, string>(rnnHeader.Metadata, StringComparer.Ordinal).AsReadOnly());
    }

    /// <summary>
    /// bias_ih + bias_hh in float32: one addition, rounded to nearest even; when either is ±0 the other is taken as
    /// it is, so −0 and NaN payloads survive a round trip through a file whose bias_hh is zero.
    /// </summary>
    internal static float AddBiases(float inputBias, float recurrentBias) =>
        recurrentBias == 0 ? inputBias : inputBias == 0 ? recurrentBias : inputBias + recurrentBias;

    private static ImportedTensor Used(SafetensorsEntry entry, string? path, RnnParameter target, bool transposed) =>
        new(entry.ToInfo(path), target, transposed, entry.DataType switch
        {
            "F32" => "copied",
            "F64" => "rounded to nearest even from F64",
            _ => $"widened exactly from {entry.DataType}",
        });

    /// <summary>destination (columns×rows, row-major) = source (rows×columns, row-major)ᵀ.</summary>
    private static void Transpose(float[] source, int rows, int columns, Span<float> destination)
    {
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++) destination[c * rows + r] = source[r * columns + c];
        }
    }

    private static void Write(RnnModel model, Stream stream, PyTorchExportOptions options)
    {
        RnnShape shape = model.Shape;
        int d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize;
        ReadOnlySpan<float> parameters = model.Parameters;
        string rnn = options.RnnPrefix, head = options.HeadPrefix;

        // The tensors in PyTorch's layout, in the order they are written: copies of one weight set, or nothing is
        // written (see RnnModel's remarks on threads).
        int version = model.BeginRead();
        (string Name, long[] Shape, float[] Values)[] tensors =
        [
            (rnn + PyTorchStateDictMapping.WeightInputHidden, [h, d], Transposed(shape.Wxh(parameters), d, h)),
            (rnn + PyTorchStateDictMapping.WeightHiddenHidden, [h, h], Transposed(shape.Whh(parameters), h, h)),
            (rnn + PyTorchStateDictMapping.BiasInputHidden, [h], shape.Bh(parameters).ToArray()),
            (rnn + PyTorchStateDictMapping.BiasHiddenHidden, [h], new float[h]),
            (head + PyTorchStateDictMapping.HeadWeight, [o, h], Transposed(shape.Who(parameters), h, o)),
            (head + PyTorchStateDictMapping.HeadBias, [o], shape.Bo(parameters).ToArray()),
        ];
        model.EndRead(version);

        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(SafetensorsHeader.MetadataKey);
            writer.WriteString("format", "pt");
            writer.WriteString(PyTorchStateDictMapping.NonlinearityKey, "tanh");
            writer.WriteString(PyTorchStateDictMapping.InputSizeKey, d.ToString(CultureInfo.InvariantCulture));
            writer.WriteString(PyTorchStateDictMapping.HiddenSizeKey, h.ToString(CultureInfo.InvariantCulture));
            writer.WriteString(PyTorchStateDictMapping.OutputSizeKey, o.ToString(CultureInfo.InvariantCulture));
            writer.WriteEndObject();
            long offset = 0;
            foreach ((string name, long[] dimensions, float[] values) in tensors)
            {
                writer.WriteStartObject(name);
                writer.WriteString("dtype", "F32");
                writer.WriteStartArray("shape");
                foreach (long dimension in dimensions) writer.WriteNumberValue(dimension);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + 4L * values.Length);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += 4L * values.Length;
            }

            writer.WriteEndObject();
        }

        // Spaces pad the header to a multiple of 8 bytes, as the format allows, so the data section is 8-byte aligned.
        int padding = (8 - json.WrittenCount % 8) % 8;
        Span<byte> lengthField = stackalloc byte[SafetensorsReader.LengthFieldSize];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthField, (ulong)(json.WrittenCount + padding));
        stream.Write(lengthField);
        stream.Write(json.WrittenSpan);
        Span<byte> spaces = stackalloc byte[8];
        spaces.Fill((byte)' ');
        stream.Write(spaces[..padding]);

        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkFloats * sizeof(float));
        try
        {
            foreach ((_, _, float[] values) in tensors)
            {
                for (int start = 0; start < values.Length; start += ChunkFloats)
                {
                    int count = Math.Min(ChunkFloats, values.Length - start);
                    Span<byte> bytes = chunk.AsSpan(0, count * sizeof(float));
                    for (int i = 0; i < count; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes[(i * sizeof(float))..], values[start + i]);
                    stream.Write(bytes);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>The transpose of a rows×columns row-major matrix, as a new columns×rows array.</summary>
    private static float[] Transposed(ReadOnlySpan<float> source, int rows, int columns)
    {
        var result = new float[source.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++) result[c * rows + r] = source[r * columns + c];
        }

        return result;
    }
}
