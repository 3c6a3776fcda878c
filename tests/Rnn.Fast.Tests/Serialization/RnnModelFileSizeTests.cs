namespace Rnn.Fast.Tests.Serialization;

/// <summary>
/// Load refuses, as <c>too large</c> and before allocating anything for them, valid checksummed files whose model
/// cannot be built (a padded weight pack does not fit in one array) or would cost far more memory than the file
/// (packs that are mostly padding); and every load it accepts allocates at most the documented
/// 16·P + 128·(d + h + o) + 1 MiB bytes, from a seekable stream, an unseekable one and a path.
/// </summary>
public sealed class RnnModelFileSizeTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AValidFileOfAShapeNoModelCanHoldIsRejectedAsTooLargeBeforeItsParametersAreRead(bool seekable)
    {
        // 2^25 + 4 parameters (a 128 MiB file) fit in one array, but Wxh packed is 2^25 rows of 64 floats: 2^31 + 16.
        var error = AssertRefusedWithinHeader(() => new GeneratedModelStream(1 << 25, 1, 1, seekable));
        Assert.StartsWith("too large: the shape d=33554432, h=1, o=1 needs 2147483664 floats for its packed Wxh (33554432×1", error.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AValidSixteenMebibyteFileWhosePacksWouldTakeAGibibyteIsRefused(bool seekable)
    {
        // d = 2^22, h = o = 1: 4,194,308 parameters (16 MiB), but Wxh packed is 2^22 rows of 64 floats (1 GiB).
        var error = AssertRefusedWithinHeader(() => new GeneratedModelStream(1 << 22, 1, 1, seekable));
        Assert.StartsWith("too large: the shape d=4194304, h=1, o=1 has 4194308 parameters (16777232 bytes)", error.Message);
        Assert.Contains("would allocate up to", error.Message);
        Assert.Contains("16·P + 128·(d + h + o) + 1 MiB = 605028672", error.Message); // 16·4194308 + 128·4194306 + 2^20
    }

    [Theory]
    [InlineData(3, 5, 2)]
    [InlineData(1, 1, 1)]
    [InlineData(1, 16, 1)]
    [InlineData(40, 70, 10)]
    [InlineData(130, 65, 70)]
    [InlineData(5_000, 1, 1)]     // packs 66 times the parameters, inside the constant term
    [InlineData(1, 64, 3_000)]
    [InlineData(100_000, 20, 1)]  // an 8 MB file near the limit: packs 3.5 times the parameters
    [InlineData(300, 600, 200)]
    public void LoadAllocatesAtMostTheStatedBound(int d, int h, int o)
    {
        var shape = new RnnShape(d, h, o);
        long parameters = shape.ParameterCount;
        long bound = 16 * parameters + 128L * (d + h + o) + (1 << 20);
        using var folder = new TemporaryFolder();
        string path = folder.File("model.rnnf");
        using (var file = File.Create(path)) new GeneratedModelStream(d, h, o, canSeek: false).CopyTo(file);

        foreach (string route in new[] { "seekable", "unseekable", "path" })
        {
            RnnModel Load() => route switch
            {
                "seekable" => RnnModelFile.Load(new GeneratedModelStream(d, h, o, canSeek: true)),
                "unseekable" => RnnModelFile.Load(new GeneratedModelStream(d, h, o, canSeek: false)),
                _ => RnnModelFile.Load(path),
            };

            Load(); // warm up: first calls compile and initialize types on this thread
            long before = GC.GetAllocatedBytesForCurrentThread();
            RnnModel model = Load();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(shape, model.Shape);
            // At least the model's own parameters; at most the bound.
            Assert.True(allocated >= 4 * parameters && allocated <= bound,
                $"{route} load of d={d}, h={h}, o={o} allocated {allocated} bytes; the bound is {bound}");
        }
    }

    /// <summary>
    /// Load refuses the file having read its 32-byte header and nothing more, and allocates only the exception.
    /// </summary>
    private static InvalidModelFileException AssertRefusedWithinHeader(Func<GeneratedModelStream> open)
    {
        Assert.Throws<InvalidModelFileException>(() => RnnModelFile.Load(open())); // warm up
        GeneratedModelStream stream = open();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidModelFileException>(() => RnnModelFile.Load(stream));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(32, stream.ActualPosition);
        Assert.True(allocated < 32 * 1024, $"refusing the header allocated {allocated} bytes");
        return error;
    }
}
