using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Serialization;

/// <summary>
/// The bytes <see cref="RnnModelFile"/> writes are exactly the documented format, and save → load gives back the
/// same shape and the same parameter bits (NaN payloads, signalling NaNs, −0 and subnormals included) through a
/// seekable stream, a stream without length and a file.
/// </summary>
/// <remarks>Case counts: 300 random shapes through streams (a few milliseconds each); 25 through files, since
/// every file save waits for the disk (fsync).</remarks>
public sealed class RnnModelFileFormatTests
{
    [Fact]
    public void TheReferenceCrc32GivesTheStandardCheckValue()
    {
        // The CRC-32/ISO-HDLC check value of "123456789", as tabulated in every CRC catalogue.
        Assert.Equal(0xCBF4_3926u, ModelFileBytes.ReferenceCrc32("123456789"u8));
    }

    [Fact]
    public void TheFileIsTheDocumentedHeaderThenTheParametersThenTheirCrc32()
    {
        var shape = new RnnShape(2, 3, 1); // 6 + 9 + 3 + 3 + 1 = 22 parameters
        float[] parameters = Enumerable.Range(0, 22).Select(i => i * 0.25f - 1).ToArray();
        byte[] file = ModelFileBytes.Save(new RnnModel(shape, parameters));

        Assert.Equal(32 + 4 * 22 + 4, file.Length);
        Assert.Equal("RNNF"u8.ToArray(), file[..4]);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(4)));
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(8)));
        Assert.Equal(3, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(12)));
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(16)));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(20)));
        Assert.Equal(22L, BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(24)));
        for (int i = 0; i < 22; i++)
        {
            Assert.Equal(BitConverter.SingleToUInt32Bits(parameters[i]), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(32 + 4 * i)));
        }

        Assert.Equal(ModelFileBytes.ReferenceCrc32(file.AsSpan(0, 120)), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(120)));
        // Pinned, so a change to any field's encoding shows up here even if the two sides above changed together.
        Assert.Equal("524E4E4601000000020000000300000001000000010000001600000000000000", Convert.ToHexString(file, 0, 32));
    }

    [Fact]
    public void SaveThenLoadThroughStreamsKeepsTheShapeAndEveryParameterBit()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Shapes(maxHidden: 40), ((int D, int H, int O, int Seed) c) =>
        {
            var shape = new RnnShape(c.D, c.H, c.O);
            float[] parameters = ModelFileBytes.AwkwardParameters(shape.ParameterCount, c.Seed);
            byte[] file = ModelFileBytes.Save(new RnnModel(shape, parameters));
            Assert.Equal(ModelFileBytes.FileLength(shape), file.Length);

            foreach (RnnModel loaded in new[] { ModelFileBytes.LoadSeekable(file), ModelFileBytes.LoadUnseekable(file) })
            {
                Assert.Equal(shape, loaded.Shape);
                FloatAssert.BitIdentical(parameters, loaded.Parameters, $"parameters of {shape}, seed {c.Seed}");
            }
        }));
    }

    [Fact]
    public void SaveThenLoadThroughFilesKeepsTheShapeAndEveryParameterBit()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("model.rnnf");
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(25), Prop.ForAll(Shapes(maxHidden: 40), ((int D, int H, int O, int Seed) c) =>
        {
            var shape = new RnnShape(c.D, c.H, c.O);
            float[] parameters = ModelFileBytes.AwkwardParameters(shape.ParameterCount, c.Seed);
            RnnModelFile.Save(new RnnModel(shape, parameters), path);
            RnnModel loaded = RnnModelFile.Load(path);
            Assert.Equal(shape, loaded.Shape);
            FloatAssert.BitIdentical(parameters, loaded.Parameters, $"parameters of {shape}, seed {c.Seed}");
        }));
    }

    [Theory]
    [InlineData(50, 120, 7)]   // 21,367 parameters: more than one 16,384-float chunk, not a multiple of it
    [InlineData(100, 300, 10)] // 123,310 parameters: an unseekable load grows its buffer three times
    [InlineData(1, 128, 1)]    // 16,769 parameters: one chunk plus a little
    public void ModelsLargerThanOneChunkRoundTripBitForBit(int d, int h, int o)
    {
        var shape = new RnnShape(d, h, o);
        float[] parameters = ModelFileBytes.AwkwardParameters(shape.ParameterCount, seed: d + h + o);
        byte[] file = ModelFileBytes.Save(new RnnModel(shape, parameters));
        Assert.Equal(ModelFileBytes.FileLength(shape), file.Length);
        FloatAssert.BitIdentical(parameters, ModelFileBytes.LoadSeekable(file).Parameters, $"seekable {shape}");
        FloatAssert.BitIdentical(parameters, ModelFileBytes.LoadUnseekable(file).Parameters, $"unseekable {shape}");
    }

    [Fact]
    public void ALoadedModelComputesWhatTheSavedModelComputed()
    {
        // The model is rebuilt with its weight packs, not just its parameter buffer.
        var shape = new RnnShape(3, 9, 2);
        var saved = new RnnModel(shape, seed: 11);
        RnnModel loaded = ModelFileBytes.LoadSeekable(ModelFileBytes.Save(saved));
        float[] inputs = Enumerable.Range(0, 5 * 2 * 3).Select(i => MathF.Sin(i)).ToArray();
        FloatAssert.BitIdentical(Outputs(saved, inputs), Outputs(loaded, inputs), "outputs of the loaded model");
    }

    [Fact]
    public void LoadFromAStreamReadsOneModelAndStopsRightAfterItsChecksum()
    {
        var first = new RnnModel(new RnnShape(1, 2, 1), seed: 1);
        var second = new RnnModel(new RnnShape(4, 3, 2), seed: 2);
        using var stream = new MemoryStream();
        RnnModelFile.Save(first, stream);
        long firstEnd = stream.Position;
        RnnModelFile.Save(second, stream);
        stream.Position = 0;

        RnnModel a = RnnModelFile.Load(stream);
        Assert.Equal(firstEnd, stream.Position);
        RnnModel b = RnnModelFile.Load(stream);
        Assert.Equal(stream.Length, stream.Position);
        FloatAssert.BitIdentical(first.Parameters, a.Parameters, "first model");
        FloatAssert.BitIdentical(second.Parameters, b.Parameters, "second model");
        Assert.Equal(second.Shape, b.Shape);
    }

    private static Arbitrary<(int D, int H, int O, int Seed)> Shapes(int maxHidden) => Arb.From(
        from d in Gen.Choose(1, 20)
        from h in Gen.Choose(1, maxHidden)
        from o in Gen.Choose(1, 10)
        from seed in Gen.Choose(0, int.MaxValue)
        select (d, h, o, seed));

    private static float[] Outputs(RnnModel model, float[] inputs)
    {
        using var workspace = new RnnWorkspace(model);
        var outputs = new float[5 * 2 * model.Shape.OutputSize];
        workspace.Forward(inputs, sequenceLength: 5, batchSize: 2, OutputSteps.EveryStep, outputs);
        return outputs;
    }
}
