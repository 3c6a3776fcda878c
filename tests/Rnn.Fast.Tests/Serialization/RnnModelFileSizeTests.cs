namespace Rnn.Fast.Tests.Serialization;

/// <summary>
/// Load refuses, as <c>too large</c> and before allocating anything for them, valid checksummed files whose model
/// cannot be built (a weight pack does not fit in one array); and every load it accepts allocates at most the
/// documented 16·P + 128·(d + h + o) + 1 MiB bytes, from a seekable stream, an unseekable one and a path, including the
/// shapes with a narrow hidden layer and tens of thousands of inputs or outputs.
/// </summary>
public sealed class RnnModelFileSizeTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AValidFileOfAShapeNoModelCanHoldIsRejectedAsTooLargeBeforeItsParametersAreRead(bool seekable)
    {
        // 2,147,483,565 parameters (an 8 GiB file) fit in one array, but [Wxh ; Whh] packed needs 2,147,483,592 floats.
        var error = AssertRefusedWithinHeader(() => new GeneratedModelStream(1_073_741_778, 2, 1, seekable));
        Assert.StartsWith("too large: the shape d=1073741778, h=2, o=1 needs 2147483592 floats for its packed [Wxh ; Whh] (1073741780×2", error.Message);
    }

    [Theory]
    [InlineData(3, 5, 2)]
    [InlineData(1, 1, 1)]
    [InlineData(1, 16, 1)]
    [InlineData(40, 70, 10)]
    [InlineData(130, 65, 70)]
    [InlineData(5_000, 1, 1)]     // packs 66 times the parameters, inside the constant term
    [InlineData(1, 64, 3_000)]
    [InlineData(100_000, 20, 1)]
    [InlineData(300, 600, 200)]
    [InlineData(1 << 22, 1, 1)]   // 16 MiB of parameters: one hidden unit beside four million inputs
    [InlineData(50_000, 19, 50_000)] // a narrow hidden layer between wide inputs and outputs
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
