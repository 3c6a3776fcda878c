using System.Buffers.Binary;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Serialization;

/// <summary>
/// The committed fixtures (tests/Fixtures/model-files): a version-1 file saved by the library before version 2
/// existed keeps loading bit for bit and re-saves to the same bytes; a version-2 file written by a Python script from
/// the format's documentation loads with every value the script wrote, and the library writes the same bytes.
/// </summary>
public sealed class ModelFileFixtureTests
{
    private static string Fixture(string name) => RepositoryFiles.Path($"tests/Fixtures/model-files/{name}");

    [Fact]
    public void TheVersionOneFixtureLoadsBitForBitAndResavesToTheSameBytes()
    {
        string path = Fixture("version-1.rnnf");
        byte[] bytes = File.ReadAllBytes(path);
        var shape = new RnnShape(3, 5, 2);
        float[] expected = ParameterInitialization.CreateUniform(shape, 20261201);
        expected[0] = BitConverter.UInt32BitsToSingle(0x7FC0_1234);
        expected[1] = -0f;
        expected[2] = BitConverter.UInt32BitsToSingle(0x0000_0001);
        expected[3] = float.PositiveInfinity;
        expected[^1] = float.MaxValue;

        RnnModel model = RnnModelFile.Load(path);
        RnnModelFileContents contents = RnnModelFile.LoadContents(path);

        Assert.Equal(264, bytes.Length);
        Assert.Equal(shape, model.Shape);
        FloatAssert.BitIdentical(expected, model.Parameters, "version-1 fixture");
        FloatAssert.BitIdentical(expected, contents.Model.Parameters, "version-1 fixture through LoadContents");
        Assert.Equal(1, contents.FormatVersion);
        Assert.Empty(contents.Sections);
        Assert.Empty(contents.Metadata);
        Assert.Equal(ModelFileBytes.ReferenceCrc32(bytes.AsSpan(0, bytes.Length - 4)), contents.Checksum);
        Assert.Equal(bytes, ModelFileBytes.Save(model));
    }

    [Fact]
    public void TheVersionTwoFixtureWrittenByPythonLoadsWithEveryValueAndTheLibraryWritesTheSameBytes()
    {
        string path = Fixture("version-2.rnnf");
        byte[] bytes = File.ReadAllBytes(path);

        RnnModelFileContents contents = RnnModelFile.LoadContents(path);

        Assert.Equal(2, contents.FormatVersion);
        Assert.Equal(new RnnShape(2, 3, 1), contents.Model.Shape);
        ReadOnlySpan<float> parameters = contents.Model.Parameters;
        for (int i = 0; i < 19; i++) Assert.Equal(-2.0f + 0.25f * i, parameters[i]);
        Assert.Equal(0x7FC0_0ABCu, BitConverter.SingleToUInt32Bits(parameters[19]));
        Assert.Equal(0x8000_0000u, BitConverter.SingleToUInt32Bits(parameters[20]));
        Assert.Equal(0x0000_0001u, BitConverter.SingleToUInt32Bits(parameters[21]));
        Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)), contents.Checksum);

        Assert.Equal(
            ["metadata", "inputs.columns", "inputs.mean", "inputs.scale", "outputs.columns", "outputs.mean", "outputs.scale", "window.length", "python.floats", "python.text", "python.later"],
            contents.Sections.Select(s => s.Name));
        Assert.All(contents.Sections, s => Assert.False(s.IsRequired));
        Assert.Equal("make_version2.py", contents.Metadata["created-by"]);
        Assert.Equal("\u00fcn\u00efc\u00f6d\u00e9 \u4e2d", contents.Metadata["note"]);
        Assert.Equal(["a", "b"], contents.Find(ModelFileSectionNames.InputColumns)!.GetStrings());
        Assert.Equal([1.5, -2.25], contents.Find(ModelFileSectionNames.InputMean)!.GetFloat64Array());
        Assert.Equal([0.5, 4.0], contents.Find(ModelFileSectionNames.InputScale)!.GetFloat64Array());
        Assert.Equal(["y"], contents.Find(ModelFileSectionNames.OutputColumns)!.GetStrings());
        Assert.Equal([10.0], contents.Find(ModelFileSectionNames.OutputMean)!.GetFloat64Array());
        Assert.Equal([2.0], contents.Find(ModelFileSectionNames.OutputScale)!.GetFloat64Array());
        Assert.Equal([7L], contents.Find(ModelFileSectionNames.WindowLength)!.GetInt64Array());
        Assert.Equal([0x3F80_0000u, 0x8000_0000u, 0xFF80_0001u], contents.Find("python.floats")!.GetFloat32Array().Select(BitConverter.SingleToUInt32Bits));
        Assert.Equal("hello", contents.Find("python.text")!.GetText());
        ModelFileSection later = contents.Find("python.later")!;
        Assert.False(later.IsKnownType);
        Assert.Equal(200u, (uint)later.Type);
        Assert.Equal([1, 2], later.Payload.ToArray());

        // RnnModelFile.Load reads the model and skips the sections.
        FloatAssert.BitIdentical(parameters, RnnModelFile.Load(path).Parameters, "Load of the version-2 fixture");
        // The library's writer and the Python one agree byte for byte, down to the checksum.
        Assert.Equal(bytes, ModelFileBytes.Save(contents.Model, contents.Sections));
    }
}
