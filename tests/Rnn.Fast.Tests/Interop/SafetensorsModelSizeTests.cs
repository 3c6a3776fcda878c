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
        // d = 2^25, h = o = 1: 2^25 + 4 parameters fit in one array, but Wxh packed is 2^25 rows of 64 floats. The file
        // is complete and consistent (a 128 MiB weight_ih_l0 of zeros), as a careless or hostile export could write it.
        const int d = 1 << 25;
        List<Entry> entries =
        [
            new("rnn.weight_ih_l0", "F32", [1, d], new byte[4 * d]),
            new("rnn.weight_hh_l0", "F32", [1, 1], Floats([0.5f])),
            new("rnn.bias_ih_l0", "F32", [1], Floats([0f])),
            new("rnn.bias_hh_l0", "F32", [1], Floats([0f])),
            new("fc.weight", "F32", [1, 1], Floats([1f])),
            new("fc.bias", "F32", [1], Floats([0f])),
        ];
        byte[] file = Build(entries);
        var error = Assert.Throws<InvalidModelFileException>(() => PyTorchSafetensors.Load(new MemoryStream(file, writable: false)));
        Assert.StartsWith("too large: the shape d=33554432, h=1, o=1 needs 2147483664 floats for its packed Wxh", error.Message);
    }
}
