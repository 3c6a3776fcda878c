using Rnn.Fast.Interop;
using static Rnn.Fast.Tests.Interop.SafetensorsBytes;

namespace Rnn.Fast.Tests.Interop;

/// <summary>
/// The safetensors import holds a state_dict's shape to the same decision as the model file's loader (ModelSizes): a
/// shape whose weight packs would not fit in one array is "too large", an InvalidModelFileException, not the model
/// constructor's ArgumentOutOfRangeException.
/// </summary>
public sealed class SafetensorsModelSizeTests
{
    [Fact]
    public void AStateDictOfAShapeNoModelCanHoldIsTooLarge()
    {
        // d = 1,073,741,778, h = 2, o = 1: 2,147,483,565 parameters fit in one array, but [Wxh ; Whh] packed needs
        // 2,147,483,592 floats. The header is consistent (an 8 GiB weight_ih_l0 at the offsets it declares); the refusal
        // comes from the header alone, before any tensor data is read, so the stream holds the header only.
        const long d = 1_073_741_778, h = 2;
        long[] sizes = [4 * h * d, 4 * h * h, 4 * h, 4 * h, 4 * h, 4];
        string[] names = ["rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0", "fc.weight", "fc.bias"];
        long[][] shapes = [[h, d], [h, h], [h], [h], [1, h], [1]];
        var entries = new List<Entry>();
        long offset = 0;
        for (int i = 0; i < names.Length; i++)
        {
            entries.Add(new(names[i], "F32", shapes[i], [], [offset, offset + sizes[i]]));
            offset += sizes[i];
        }

        byte[] file = Build(entries);
        var error = Assert.Throws<InvalidModelFileException>(() =>
            PyTorchSafetensors.Load(new Rnn.Fast.Tests.Serialization.RestrictedStream(file, canSeek: false)));
        Assert.StartsWith("too large: the shape d=1073741778, h=2, o=1 needs 2147483592 floats for its packed [Wxh ; Whh]", error.Message);
    }
}
