namespace Rnn.Fast.Cli.Interop;

/// <summary>The file formats rnn import reads and rnn export writes, told apart by the file's extension
/// (<see cref="InteropFormats.FromExtension"/>).</summary>
internal enum InteropFormat
{
    /// <summary>A PyTorch state_dict in safetensors (<c>.safetensors</c>), through Rnn.Fast.Interop.</summary>
    Safetensors = 0,

    /// <summary>An ONNX graph (<c>.onnx</c>), through Rnn.Fast.Onnx.</summary>
    Onnx = 1,
}
