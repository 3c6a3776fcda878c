namespace Rnn.Fast.Interop;

/// <summary>How an import knew the RNN's nonlinearity.</summary>
public enum NonlinearitySource
{
    /// <summary>Neither the caller nor the file said: tanh, PyTorch's default, was assumed.</summary>
    Assumed,

    /// <summary>The caller said so (<see cref="PyTorchImportOptions.Nonlinearity"/>).</summary>
    Caller,

    /// <summary>The file's <c>__metadata__</c> said so, as files saved by <see cref="PyTorchSafetensors"/> do.</summary>
    FileMetadata,
}
