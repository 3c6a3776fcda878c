using Rnn.Fast.Kernels;

namespace Rnn.Fast.Tests.Engine;

/// <summary>
/// Whether a model can be built is decided in one place (ModelSizes), from the packs' own size function, before
/// anything is allocated: a shape RnnShape accepts but whose packs or workspace rows do not fit is refused with an
/// exception naming the shape, and what a model allocates is what the sizes say.
/// </summary>
public sealed class ModelSizesTests
{
    // The packs hold K·N floats and 32 of slack, so a pack fails to fit only within 32 floats of the largest array. For
    // h = 2, o = 1 the stacked [Wxh ; Whh] pack is (d + 2)·2 + 32 floats while the model has 2d + 9 parameters: the
    // largest d is ⌊(Array.MaxLength − 36) / 2⌋ = 1,073,741,777 (Array.MaxLength = 2,147,483,591), whose pack holds
    // 2,147,483,590 floats; its two workspace rows of d + 2 floats (1,073,741,792 padded) still fit in one array.
    private const int LargestInputForTwoHiddenUnits = 1_073_741_777;

    [Fact]
    public void AShapeWhosePacksDoNotFitIsRefusedBeforeAnythingIsAllocated()
    {
        // 2,147,483,567 parameters fit in one array (RnnShape accepts them), but [Wxh ; Whh] packed needs 2,147,483,592 floats.
        var shape = new RnnShape(LargestInputForTwoHiddenUnits + 1, 2, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RnnModel(shape, 1UL)); // warm up: first calls compile on this thread
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RnnModel(shape, 1UL));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("shape", error.ParamName);
        Assert.Contains("d=1073741778, h=2, o=1", error.Message);
        Assert.Contains("2147483592 floats for its packed [Wxh ; Whh] (1073741780×2 and 32 of slack)", error.Message);
        // The exception and its message are a few kilobytes; the parameters alone would be 8 GiB.
        Assert.True(allocated < 64 * 1024, $"refusing the shape allocated {allocated} bytes");

        // The span constructor checks the shape first too, whatever the length of the span.
        error = Assert.Throws<ArgumentOutOfRangeException>(() => new RnnModel(shape, new float[3]));
        Assert.Equal("shape", error.ParamName);
    }

    [Fact]
    public void TheLimitIsExactAndNamesWhatDoesNotFit()
    {
        Assert.Null(ModelSizes.Problem(LargestInputForTwoHiddenUnits, 2, 1));
        Assert.Contains("packed [Wxh ; Whh] (1073741780×2", ModelSizes.Problem(LargestInputForTwoHiddenUnits + 1, 2, 1));
        // Two workspace rows [X | H] must fit one array: d + h up to about Array.MaxLength / 2.
        Assert.Null(ModelSizes.Problem(1_073_741_000, 1, 1));
        Assert.Contains("workspace rows of d + h = 1073741796 floats", ModelSizes.Problem(1_073_741_795, 1, 1));
        // The parameter count comes first, and every size up to int.MaxValue is answered without overflow.
        Assert.Contains("needs 13835058046692229121 parameters", ModelSizes.Problem(int.MaxValue, int.MaxValue, int.MaxValue));
    }

    /// <summary>
    /// Packs without padding make the loader's bound hold for every shape a model can be built of: a load allocates at
    /// most 1.5·4P bytes of parameter buffers, 4 bytes per pack float (K·N per pack: the packs hold 2(P − h − o) floats
    /// and 5·32 of slack) and 128 KiB, under 16·P + 128·(d + h + o) + 1 MiB. So the model file's loader refuses exactly
    /// the shapes no model can be built of, among them the narrow-hidden, wide-input and wide-output shapes that 64-column
    /// panels made mostly padding. 2,000 shapes over the whole range of sizes: ModelSizes allocates nothing, so they take
    /// milliseconds; the seed is fixed so a failure replays.
    /// </summary>
    [Fact]
    public void TheLoaderRefusesExactlyTheShapesNoModelCanBeBuiltOf()
    {
        var random = new Random(20_260_101);
        int Size() => random.Next(4) switch
        {
            0 => random.Next(1, 64),
            1 => random.Next(1, 100_000),
            2 => random.Next(1, 50_000_000),
            _ => random.Next(1, int.MaxValue),
        };

        int buildable = 0;
        for (int i = 0; i < 2_000; i++)
        {
            int d = Size(), h = Size(), o = Size();
            string? problem = ModelSizes.Problem(d, h, o);
            Assert.Equal(problem, ModelSizes.LoadProblem(d, h, o));
            if (problem is null)
            {
                buildable++;
                Assert.True(ModelSizes.LoadAllocation(d, h, o) <= ModelSizes.LoadAllocationLimit(d, h, o), $"d={d}, h={h}, o={o}");
            }
        }

        Assert.InRange(buildable, 100, 2_000); // the draw reaches both outcomes
        foreach ((int d, int h, int o) in new[] { (1 << 22, 1, 1), (1, 1, 1 << 22), (50_000, 19, 50_000), (100_000, 1, 100_000), (LargestInputForTwoHiddenUnits, 2, 1) })
        {
            Assert.Null(ModelSizes.LoadProblem(d, h, o));
        }
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
        // K·N floats, 16 of alignment slack and 16 that a tile may read past a remainder panel.
        Assert.Equal(1 + 32, PackedMatrix.StorageLength(1, 1));
        Assert.Equal(3 * 65 + 32, PackedMatrix.StorageLength(3, 65));
        // (2^31 − 1)² floats: far beyond int, exact in long.
        Assert.Equal((long)int.MaxValue * int.MaxValue + 32, PackedMatrix.StorageLength(int.MaxValue, int.MaxValue));
    }
}
