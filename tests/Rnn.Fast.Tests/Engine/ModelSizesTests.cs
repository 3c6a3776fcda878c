using Rnn.Fast.Kernels;

namespace Rnn.Fast.Tests.Engine;

/// <summary>
/// Whether a model can be built is decided in one place (ModelSizes), from the packs' own size function, before
/// anything is allocated: a shape RnnShape accepts but whose padded packs do not fit is refused with an exception
/// naming the shape, and what a model allocates is what the sizes say.
/// </summary>
public sealed class ModelSizesTests
{
    // Each pack pads its columns to 64: Wxh packed is d×64 floats for h = 1, plus 16 floats of alignment slack, so the
    // largest d a model with h = o = 1 holds is ⌊(Array.MaxLength − 16) / 64⌋ = 33,554,430 (Array.MaxLength = 2,147,483,591).
    private const int LargestInputForOneHiddenUnit = 33_554_430;

    [Fact]
    public void AShapeWhosePaddedPacksDoNotFitIsRefusedBeforeAnythingIsAllocated()
    {
        // 2^25 + 4 parameters fit in one array (RnnShape accepts them), but Wxh packed needs 2^25·64 + 16 = 2^31 + 16 floats.
        var shape = new RnnShape(1 << 25, 1, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RnnModel(shape, 1UL)); // warm up: first calls compile on this thread
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RnnModel(shape, 1UL));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("shape", error.ParamName);
        Assert.Contains("d=33554432, h=1, o=1", error.Message);
        Assert.Contains("2147483664 floats for its packed Wxh (33554432×1", error.Message);
        // The exception and its message are a few kilobytes; the parameters alone would be 128 MiB.
        Assert.True(allocated < 64 * 1024, $"refusing the shape allocated {allocated} bytes");

        // The span constructor checks the shape first too, whatever the length of the span.
        error = Assert.Throws<ArgumentOutOfRangeException>(() => new RnnModel(shape, new float[3]));
        Assert.Equal("shape", error.ParamName);
    }

    [Fact]
    public void TheLimitIsExactAndNamesThePackThatDoesNotFit()
    {
        Assert.Null(ModelSizes.Problem(LargestInputForOneHiddenUnit, 1, 1));
        Assert.Contains("packed Wxh (33554431×1", ModelSizes.Problem(LargestInputForOneHiddenUnit + 1, 1, 1));
        // o rows of Whoᵀ (o×h) pad h the same way: a wide output layer over a narrow hidden state.
        Assert.Null(ModelSizes.Problem(1, 1, LargestInputForOneHiddenUnit));
        Assert.Contains("packed Whoᵀ (33554431×1", ModelSizes.Problem(1, 1, LargestInputForOneHiddenUnit + 1));
        // The parameter count comes first, and every size up to int.MaxValue is answered without overflow.
        Assert.Contains("needs 13835058046692229121 parameters", ModelSizes.Problem(int.MaxValue, int.MaxValue, int.MaxValue));
        Assert.Contains("packed Wxh", ModelSizes.Problem(int.MaxValue / 64, 1, 1));
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 5, 2)]
    [InlineData(7, 37, 3)]
    [InlineData(1, 16, 1)]
    [InlineData(130, 65, 70)]
    [InlineData(20_000, 1, 1)]
    public void AModelAllocatesItsParametersAndThePacksTheSizesCount(int d, int h, int o)
    {
        // The sizes the check uses are the sizes the model allocates: its parameters (once: the seeded buffer becomes the
        // model's own) and its six packs, 4 bytes a float, plus object headers and the model's small objects.
        // One-time runtime work (a first compile, a type's initialization) is billed to whichever thread gets there first,
        // and in the parallel test run that may be this one after its warm-up: the smallest of three measurements is the
        // model's own allocation.
        var shape = new RnnShape(d, h, o);
        _ = new RnnModel(shape, 1UL); // warm up: first calls compile and initialize types on this thread
        long allocated = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            _ = new RnnModel(shape, 1UL);
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        long counted = sizeof(float) * (shape.ParameterCount + ModelSizes.PackFloats(d, h, o));
        Assert.InRange(allocated, counted, counted + 2048);
    }

    [Fact]
    public void PackStorageLengthIsExactForEverySize()
    {
        Assert.Equal(64 + 16, PackedMatrix.StorageLength(1, 1));
        Assert.Equal(2 * 64 * 3 + 16, PackedMatrix.StorageLength(3, 65));
        // ⌈(2^31 − 1) / 64⌉ = 2^25 panels of 64·(2^31 − 1) floats: far beyond int, exact in long.
        Assert.Equal((1L << 25) * 64 * int.MaxValue + 16, PackedMatrix.StorageLength(int.MaxValue, int.MaxValue));
    }
}
