using System.Buffers.Binary;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Serialization;

/// <summary>
/// Format version 2: the bytes Save writes are those the documentation describes (built independently by
/// <see cref="ModelFileBytes.Version2"/>); every section type round-trips bit for bit; bad sections passed to Save are
/// refused before anything is written; and load refuses every documented section problem with its message, the same
/// from a seekable stream, an unseekable one and a path.
/// </summary>
public sealed class RnnModelFileVersion2Tests
{
    private static readonly RnnShape Shape = new(2, 3, 1); // 22 parameters

    private static RnnModel Model() => new(Shape, seed: 9);

    [Fact]
    public void SaveWritesTheDocumentedBytes()
    {
        RnnModel model = Model();
        ModelFileSection[] sections =
        [
            ModelFileSection.CreateMetadata([new("k", "v"), new("empty", "")]),
            ModelFileSection.CreateStrings(ModelFileSectionNames.InputColumns, ["x", "\u00e9"]),
            ModelFileSection.CreateInt64Array(ModelFileSectionNames.WindowLength, [12]),
            ModelFileSection.CreateBytes("app.blob", [9, 8], isRequired: false),
            ModelFileSection.CreateText("app.note", ""),
        ];

        byte[] expected = ModelFileBytes.Version2(Shape, model.Parameters,
        [
            new RawSection("metadata", 3, 0, ModelFileBytes.EncodedStrings(2, "k", "v", "empty", "")),
            new RawSection("inputs.columns", 2, 0, ModelFileBytes.EncodedStrings(2, "x", "\u00e9")),
            new RawSection("window.length", 6, 0, [12, 0, 0, 0, 0, 0, 0, 0]),
            new RawSection("app.blob", 7, 0, [9, 8]),
            new RawSection("app.note", 1, 0, []),
        ]);

        Assert.Equal(expected, ModelFileBytes.Save(model, sections));
        // No sections at all is a version-2 file with a count of 0.
        Assert.Equal(ModelFileBytes.Version2(Shape, model.Parameters, []), ModelFileBytes.Save(model, []));
        Assert.Equal(ModelFileBytes.FileLength(Shape) + 4, ModelFileBytes.Save(model, []).Length);
    }

    [Fact]
    public void EveryTypeRoundTripsThroughStreamsAndFilesBitForBit()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("sections.rnnf");
        float[] floats = ModelFileBytes.AwkwardParameters(40, seed: 3);
        double[] doubles = [double.NaN, -0.0, double.Epsilon, double.MaxValue, BitConverter.Int64BitsToDouble(0x7FF0_0000_0000_0ABC), 1.0 / 3];
        ModelFileSection[] sections =
        [
            ModelFileSection.CreateText("t.text", "line one\nline two \u4e2d\u6587 \U0001F600"),
            ModelFileSection.CreateStrings("t.strings", ["", "a", "b,c", "\u00fc"]),
            ModelFileSection.CreateStringMap("t.map", [new("z", "1"), new("a", "2")]),
            ModelFileSection.CreateFloat32Array("t.floats", floats),
            ModelFileSection.CreateFloat64Array("t.doubles", doubles),
            ModelFileSection.CreateInt64Array("t.longs", [long.MinValue, -1, 0, long.MaxValue]),
            ModelFileSection.CreateBytes("t.bytes", [0, 255, 128]),
        ];

        RnnModelFile.Save(Model(), path, sections);
        RnnModelFileContents fromPath = RnnModelFile.LoadContents(path);
        RnnModelFileContents fromPipe = RnnModelFile.LoadContents(new RestrictedStream(File.ReadAllBytes(path), canSeek: false));

        foreach (RnnModelFileContents contents in new[] { fromPath, fromPipe })
        {
            Assert.Equal(2, contents.FormatVersion);
            FloatAssert.BitIdentical(Model().Parameters, contents.Model.Parameters, "parameters");
            Assert.Equal(sections.Select(s => (s.Name, s.Type)), contents.Sections.Select(s => (s.Name, s.Type)));
            Assert.Equal("line one\nline two \u4e2d\u6587 \U0001F600", contents.Find("t.text")!.GetText());
            Assert.Equal(["", "a", "b,c", "\u00fc"], contents.Find("t.strings")!.GetStrings());
            Assert.Equal([new("z", "1"), new("a", "2")], contents.Find("t.map")!.GetStringMap());
            FloatAssert.BitIdentical(floats, contents.Find("t.floats")!.GetFloat32Array(), "floats");
            Assert.Equal(doubles.Select(BitConverter.DoubleToInt64Bits), contents.Find("t.doubles")!.GetFloat64Array().Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal([long.MinValue, -1, 0, long.MaxValue], contents.Find("t.longs")!.GetInt64Array());
            Assert.Equal([0, 255, 128], contents.Find("t.bytes")!.Payload.ToArray());
            Assert.Empty(contents.Metadata);
            Assert.Null(contents.Find("absent"));
        }

        Assert.Equal(File.ReadAllBytes(path), ModelFileBytes.Save(fromPath.Model, fromPath.Sections));
        Assert.Throws<InvalidOperationException>(() => fromPath.Find("t.text")!.GetStrings());
    }

    public static TheoryData<string, Func<ModelFileSection[]>, string> BadArguments => new()
    {
        { "repeated name", () => [ModelFileSection.CreateText("a", "1"), ModelFileSection.CreateText("a", "2")], "more than one section called 'a'" },
        { "window of two values", () => [ModelFileSection.CreateInt64Array(ModelFileSectionNames.WindowLength, [1, 2])], "'window.length' must have 1 values" },
        { "window below one", () => [ModelFileSection.CreateInt64Array(ModelFileSectionNames.WindowLength, [0])], "at least 1" },
        { "columns for another d", () => [ModelFileSection.CreateStrings(ModelFileSectionNames.InputColumns, ["only one"])], "must have 2 values for the shape d=2" },
        { "metadata of the wrong type", () => [ModelFileSection.CreateText(ModelFileSectionNames.Metadata, "x")], "'metadata' must be of type StringMap, not Text" },
        { "a zero scale", () => [ModelFileSection.CreateFloat64Array(ModelFileSectionNames.OutputScale, [0])], "finite and above 0" },
        { "a NaN mean", () => [ModelFileSection.CreateFloat64Array(ModelFileSectionNames.InputMean, [1, double.NaN])], "must be finite" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void SaveRefusesSectionsThatDoNotFitAndWritesNothing(string name, Func<ModelFileSection[]> sections, string message)
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("m.rnnf");
        var stream = new MemoryStream();

        var toPath = Assert.Throws<ArgumentException>(() => RnnModelFile.Save(Model(), path, sections()));
        var toStream = Assert.Throws<ArgumentException>(() => RnnModelFile.Save(Model(), stream, sections()));

        Assert.True(toPath.Message.Contains(message, StringComparison.Ordinal), $"{name}: {toPath.Message}");
        Assert.Equal("sections", toPath.ParamName);
        Assert.Equal(toPath.Message, toStream.Message);
        Assert.Empty(folder.FileNames());
        Assert.Equal(0, stream.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Upper")]
    [InlineData("1starts-with-a-digit")]
    [InlineData("has space")]
    [InlineData("\u00e9")]
    [InlineData("an-exactly-sixty-five-character-long-name-that-is-one-too-long-xx")]
    public void ASectionNameOutsideTheAlphabetOrLongerThanSixtyFourIsRefused(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => ModelFileSection.CreateBytes(name, []));

        Assert.Equal("name", error.ParamName);
        Assert.Equal(65, "an-exactly-sixty-five-character-long-name-that-is-one-too-long-xx".Length);
    }

    [Fact]
    public void StringsThatAreNotValidUnicodeAndBadMapsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => ModelFileSection.CreateText("a", "\ud800"));
        Assert.Throws<ArgumentException>(() => ModelFileSection.CreateStrings("a", ["ok", null!]));
        Assert.Throws<ArgumentException>(() => ModelFileSection.CreateStringMap("a", [new("k", "1"), new("k", "2")]));
        Assert.Throws<ArgumentException>(() => ModelFileSection.CreateStringMap("a", [new("", "1")]));
        Assert.Throws<ArgumentNullException>(() => RnnModelFile.Save(Model(), new MemoryStream(), null!));
    }

    public static TheoryData<string, byte[], string> Rejections()
    {
        RnnModel model = Model();
        byte[] File(params RawSection[] sections) => ModelFileBytes.Version2(Shape, model.Parameters, sections);
        byte[] withCount = File(new RawSection("a", 7, 0, [1]));
        BinaryPrimitives.WriteUInt32LittleEndian(withCount.AsSpan(ModelFileBytes.SectionTableOffset(Shape)), 1025);
        ModelFileBytes.FixChecksum(withCount);
        byte[] hugePayload = File(new RawSection("a", 7, 0, [1]));
        BinaryPrimitives.WriteUInt64LittleEndian(hugePayload.AsSpan(ModelFileBytes.SectionTableOffset(Shape) + 4 + 1 + 1 + 4 + 4), 0x7FFF_FFC8);
        ModelFileBytes.FixChecksum(hugePayload);
        byte[] longPayload = File(new RawSection("a", 7, 0, [1]));
        BinaryPrimitives.WriteUInt64LittleEndian(longPayload.AsSpan(ModelFileBytes.SectionTableOffset(Shape) + 4 + 1 + 1 + 4 + 4), 1_000_000_000);
        ModelFileBytes.FixChecksum(longPayload);
        byte[] corrupt = File(new RawSection("a", 7, 0, [1, 2, 3]));
        corrupt[^6] ^= 0x10;
        return new()
        {
            { "too many sections", withCount, "invalid section: the file says it holds 1025 sections; a file holds at most 1024." },
            { "a bad name", File(new RawSection("Bad", 7, 0, [])), "invalid section: the name of section 1 of 1 is not valid (a section name starts with a letter a-z)." },
            { "a repeated name", File(new RawSection("a", 7, 0, []), new RawSection("a", 7, 0, [])), "invalid section: the file has more than one section called 'a'." },
            { "reserved flags", File(new RawSection("a", 7, 2, [])), "invalid section: section 'a' has flags 0x00000002; only bit 0 (required) is defined, the others must be 0." },
            { "a huge payload", hugePayload, "too large: section 'a' says its payload has 2147483592 bytes; a section holds at most 2147483591." },
            { "a payload past the end", longPayload, "truncated: section 'a' says its payload has 1000000000 bytes, but the file ends 5 bytes into it." },
            { "a corrupt payload", corrupt, "checksum mismatch" },
            { "invalid UTF-8", File(new RawSection("a", 1, 0, [0xC3])), "invalid section: the payload of 'a' (Text) is not valid: the text is not valid UTF-8." },
            { "a short string list", File(new RawSection("a", 2, 0, ModelFileBytes.EncodedStrings(3, "x", "y"))), "invalid section: the payload of 'a' (Strings) is not valid: the payload is not a uint32 count followed by that many strings." },
            { "a repeated key", File(new RawSection("metadata", 3, 0, ModelFileBytes.EncodedStrings(2, "k", "1", "k", "2"))), "invalid section: the payload of 'metadata' (StringMap) is not valid: the map has the key 'k' more than once." },
            { "a ragged float array", File(new RawSection("a", 4, 0, [1, 2, 3])), "invalid section: the payload of 'a' (Float32Array) is not valid: 3 bytes are not a whole number of float32 values." },
            { "a well-known section of another type", File(new RawSection("window.length", 5, 0, new byte[8])), "invalid section: 'window.length' must be of type Int64Array, not Float64Array." },
            { "a well-known section of an unknown type", File(new RawSection("inputs.mean", 42, 0, new byte[16])), "invalid section: 'inputs.mean' must be of type Float64Array, not 42." },
            { "scaling for another shape", File(new RawSection("outputs.scale", 5, 0, new byte[16])), "invalid section: 'outputs.scale' must have 1 values for the shape d=2, h=3, o=1, not 2." },
            { "a required section of an unknown type", File(new RawSection("later.activation", 9, 1, [])), "unsupported section: 'later.activation' is marked required, but its type code 9 is unknown to this library (a later version wrote it)." },
            { "a required section of an unknown name", File(new RawSection("later.activation", 7, 1, [])), "unsupported section: 'later.activation' is marked required, but this library does not know what it means (a later version wrote it)." },
            { "cut inside the count", File()[..(ModelFileBytes.SectionTableOffset(Shape) + 2)], "truncated: the file ends inside the section count." },
            { "cut inside a name", File(new RawSection("abc", 7, 0, []))[..(ModelFileBytes.SectionTableOffset(Shape) + 4 + 2)], "truncated: the file ends inside the name of section 1 of 1." },
            { "cut inside the checksum", File(new RawSection("a", 7, 0, []))[..^2], "truncated: the file ends inside the checksum after the sections." },
        };
    }

    [Theory]
    [MemberData(nameof(Rejections))]
    public void LoadRefusesEverySectionProblemWithItsMessageFromEveryKindOfSource(string name, byte[] file, string message)
    {
        var seekable = Assert.Throws<InvalidModelFileException>(() => RnnModelFile.LoadContents(new MemoryStream(file, writable: false)));
        var unseekable = Assert.Throws<InvalidModelFileException>(() => RnnModelFile.LoadContents(new RestrictedStream(file, canSeek: false)));
        var modelOnly = Assert.Throws<InvalidModelFileException>(() => ModelFileBytes.LoadSeekable(file));
        using var folder = new TemporaryFolder();
        string path = folder.File("m.rnnf");
        File.WriteAllBytes(path, file);
        var fromPath = Assert.Throws<InvalidModelFileException>(() => RnnModelFile.LoadContents(path));

        Assert.True(seekable.Message.StartsWith(message, StringComparison.Ordinal), $"{name}: {seekable.Message}");
        Assert.Equal(seekable.Message, unseekable.Message);
        Assert.Equal(seekable.Message, modelOnly.Message);
        Assert.Equal($"{path}: {seekable.Message}", fromPath.Message);
    }

    [Fact]
    public void AForgedPayloadLengthIsRefusedWithoutAllocatingIt()
    {
        // A section that claims 2 GB in a 100-byte file: a seekable stream is refused before any allocation, a pipe
        // after reading what there is into a buffer that grows only as data arrive.
        byte[] file = ModelFileBytes.Version2(Shape, Model().Parameters, [new RawSection("a", 7, 0, [1])]);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(ModelFileBytes.SectionTableOffset(Shape) + 4 + 1 + 1 + 4 + 4), 0x7FFF_FFC7);
        foreach (bool canSeek in new[] { true, false })
        {
            Assert.Throws<InvalidModelFileException>(() => RnnModelFile.LoadContents(new RestrictedStream(file, canSeek)));
            long before = GC.GetAllocatedBytesForCurrentThread();
            var error = Assert.Throws<InvalidModelFileException>(() => RnnModelFile.LoadContents(new RestrictedStream(file, canSeek)));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.StartsWith("truncated: section 'a' says its payload has 2147483591 bytes", error.Message);
            Assert.True(allocated < 256 * 1024, $"a 2 GB claim allocated {allocated} bytes (seekable: {canSeek})");
        }
    }

    [Fact]
    public void AVersionTwoFileLoadsAsAModelAndItsMetadataReadsAsADictionary()
    {
        byte[] file = ModelFileBytes.Save(Model(), [ModelFileSection.CreateMetadata([new("created-by", "test"), new("seed", "9")])]);

        RnnModel model = ModelFileBytes.LoadSeekable(file);
        RnnModelFileContents contents = RnnModelFile.LoadContents(new MemoryStream(file));

        FloatAssert.BitIdentical(Model().Parameters, model.Parameters, "parameters");
        Assert.Equal("test", contents.Metadata["created-by"]);
        Assert.Equal("9", contents.Metadata["seed"]);
        // The count, then four strings of 10, 4, 4 and 1 bytes, each after its 4-byte length: 4 + 16 + 19 = 39 bytes.
        Assert.Equal("metadata (StringMap, 39 bytes)", contents.Sections[0].ToString());
    }
}
