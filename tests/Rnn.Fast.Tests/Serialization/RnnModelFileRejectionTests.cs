using System.Buffers.Binary;

namespace Rnn.Fast.Tests.Serialization;

/// <summary>
/// Load rejects every documented problem with <see cref="InvalidModelFileException"/> and a message that names the
/// problem and the values found — the same message from a seekable stream, an unseekable stream and a file (which
/// adds its path). Each forged file below carries a correct checksum unless the checksum is what is tested, so the
/// check under test is the one that fires. A forged size is refused before anything is allocated for it.
/// </summary>
public sealed class RnnModelFileRejectionTests
{
    private static readonly RnnShape Shape = new(3, 5, 2); // 15 + 25 + 5 + 10 + 2 = 57 parameters, a 264-byte file

    [Fact]
    public void AWrongMagicIsRejected()
    {
        AssertRejected(ModelFileBytes.Forge(3, 5, 2, 57, 228, magic: "RNNG"), "wrong magic", "expected 'RNNF'", "found 524E4E47");
        AssertRejected(ModelFileBytes.Forge(3, 5, 2, 57, 228, magic: "\0\0\0\0"), "wrong magic", "found 00000000");
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(3u)]
    [InlineData(7u)]
    [InlineData(uint.MaxValue)]
    public void AnUnknownFormatVersionIsRejected(uint version) =>
        AssertRejected(ModelFileBytes.Forge(3, 5, 2, 57, 228, version: version),
            $"format version {version} is not supported (this library reads versions 1 and 2)");

    [Theory]
    [InlineData(0, 5, 2)]
    [InlineData(3, -1, 2)]
    [InlineData(3, 5, int.MinValue)]
    public void ASizeBelowOneIsRejected(int d, int h, int o) =>
        AssertRejected(ModelFileBytes.Forge(d, h, o, 57, 228), "invalid size", $"d={d}, h={h}, o={o}", "at least 1");

    [Theory]
    [InlineData(0u)]
    [InlineData(2u)]
    [InlineData(uint.MaxValue)]
    public void AnUnknownActivationIsRejected(uint activation) =>
        AssertRejected(ModelFileBytes.Forge(3, 5, 2, 57, 228, activation: activation),
            $"unknown activation code {activation}", "1 = tanh");

    [Theory]
    [InlineData(1, 46_341, 1, "2147627305")]                                 // just past the largest array
    [InlineData(int.MaxValue, int.MaxValue, int.MaxValue, "13835058046692229121")] // h·(d+h+o+1)+o, beyond long
    public void AShapeWithMoreParametersThanOneModelHoldsIsRejected(int d, int h, int o, string needed) =>
        // The count field cannot even hold the second count; the cap is checked before the count field is read.
        AssertRejected(ModelFileBytes.Forge(d, h, o, count: -1, 0),
            "too large", $"d={d}, h={h}, o={o} needs {needed} parameters", $"at most {RnnShape.MaxParameterCount}");

    [Theory]
    [InlineData(58L)]
    [InlineData(56L)]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void AParameterCountThatDisagreesWithTheShapeIsRejected(long count) =>
        AssertRejected(ModelFileBytes.Forge(3, 5, 2, count, 228),
            "parameter count mismatch", "d=3, h=5, o=2 needs 57 parameters", $"the header says {count}");

    [Fact]
    public void AFileCutShortAnywhereIsRejectedAsTruncated()
    {
        byte[] file = ValidFile();
        for (int length = 0; length < file.Length; length++)
        {
            byte[] cut = file[..length];
            if (length < 32)
            {
                AssertRejected(cut, $"truncated: the file ends after {length} bytes, inside the 32-byte header");
            }
            else
            {
                AssertRejected(cut, "truncated", "57 parameters (228 bytes) and a 4-byte checksum",
                    $"the file ends {length - 32} bytes after the header");
            }
        }
    }

    [Fact]
    public void EverySingleBitFlipIsRejectedAndPastTheHeaderTheChecksumNamesBothValues()
    {
        byte[] file = ValidFile();
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(file.Length - 4));
        for (int bit = 0; bit < 8 * file.Length; bit++)
        {
            byte[] flipped = (byte[])file.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            InvalidModelFileException error = Assert.Throws<InvalidModelFileException>(() => ModelFileBytes.LoadSeekable(flipped));
            if (bit / 8 < 32) continue; // a header flip may trip a header check first; any of them will do

            uint storedNow = BinaryPrimitives.ReadUInt32LittleEndian(flipped.AsSpan(file.Length - 4));
            uint computed = ModelFileBytes.ReferenceCrc32(flipped.AsSpan(0, file.Length - 4));
            Assert.Equal($"checksum mismatch: stored 0x{storedNow:X8}, computed 0x{computed:X8} over the first 260 bytes; the file is corrupt.", error.Message);
            Assert.True(bit / 8 < file.Length - 4 ? storedNow == stored : computed != storedNow);
        }
    }

    [Fact]
    public void DataAfterTheChecksumIsRejectedFromAPathAndLeftUnreadInAStream()
    {
        byte[] file = [.. ValidFile(), 0x00, 0x52, 0xFF];
        using var folder = new TemporaryFolder();
        string path = folder.File("model.rnnf");
        File.WriteAllBytes(path, file);
        var error = Assert.Throws<InvalidModelFileException>(() => RnnModelFile.Load(path));
        Assert.Equal($"{path}: trailing data: 3 bytes follow the checksum; a model file ends with its checksum.", error.Message);

        using var stream = new MemoryStream(file);
        RnnModel model = RnnModelFile.Load(stream);
        Assert.Equal(file.Length - 3, stream.Position);
        Assert.Equal(Shape, model.Shape);
    }

    [Fact]
    public void AHeaderAskingForOneHundredGigabytesIsRefusedBeforeAnythingIsAllocatedOrRead()
    {
        // h = 158,114: h² alone is 2.5·10^10 parameters, 100 GB of float32. The header is consistent (its count is
        // the shape's), so only the cap stands between it and the allocation. The second file asks for the same
        // 100 GB through its count field alone, with a small shape.
        const long Count = 158_114L * (1 + 158_114 + 1 + 1) + 1; // 25,000,511,339
        Assert.True(Count * 4 > 100_000_000_000);
        byte[] hugeShape = ModelFileBytes.Forge(1, 158_114, 1, Count, 64, withChecksum: false);
        byte[] hugeCount = ModelFileBytes.Forge(3, 5, 2, 25_000_000_000, 64, withChecksum: false);

        foreach (bool seekable in new[] { true, false })
        {
            AssertRefusedWithinHeader(hugeShape, seekable, $"too large: the shape d=1, h=158114, o=1 needs {Count} parameters");
            AssertRefusedWithinHeader(hugeCount, seekable, "parameter count mismatch: the shape d=3, h=5, o=2 needs 57 parameters, but the header says 25000000000");
        }
    }

    [Fact]
    public void AnAllowedButForgedSizeCostsOnlyWhatTheStreamHolds()
    {
        // h = 46,000 gives 2,116,138,001 parameters (8.5 GB), under the cap, but the stream holds 1,000 bytes of them.
        // With a length to compare, load refuses before allocating; without one, it allocates as the data arrives.
        const long Count = 46_000L * (1 + 46_000 + 1 + 1) + 1;
        byte[] file = ModelFileBytes.Forge(1, 46_000, 1, Count, 1_000, withChecksum: false);
        string message = $"truncated: the header says {Count} parameters ({4 * Count} bytes) and a 4-byte checksum follow it, but the file ends 1000 bytes after the header.";

        AssertRefusedWithinHeader(file, seekable: true, message);

        var stream = new RestrictedStream(file, canSeek: false);
        Assert.Throws<InvalidModelFileException>(() => RnnModelFile.Load(new RestrictedStream(file, canSeek: false))); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidModelFileException>(() => RnnModelFile.Load(stream));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(message, error.Message);
        Assert.Equal(file.Length, stream.ActualPosition);
        Assert.True(allocated < 512 * 1024, $"a truncated 8.5 GB claim allocated {allocated} bytes");
    }

    /// <summary>
    /// Load throws <paramref name="message"/> having read the 32-byte header and nothing more, and allocates only
    /// the exception (a few kilobytes; the smallest parameter buffer load would make is 64 KiB).
    /// </summary>
    private static void AssertRefusedWithinHeader(byte[] file, bool seekable, string message)
    {
        var stream = new RestrictedStream(file, canSeek: seekable);
        Assert.Throws<InvalidModelFileException>(() => RnnModelFile.Load(new RestrictedStream(file, canSeek: seekable))); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidModelFileException>(() => RnnModelFile.Load(stream));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.StartsWith(message, error.Message);
        Assert.Equal(32, stream.ActualPosition);
        Assert.True(allocated < 32 * 1024, $"refusing the header allocated {allocated} bytes (seekable: {seekable})");
    }

    private static byte[] ValidFile() => ModelFileBytes.Save(new RnnModel(Shape, seed: 5));

    /// <summary>
    /// Loading <paramref name="file"/> throws exactly <see cref="InvalidModelFileException"/>, with the same message
    /// mentioning each of <paramref name="mentions"/>, from a seekable stream, an unseekable one and a file (whose
    /// message is the path, a colon and the stream's message).
    /// </summary>
    private static void AssertRejected(byte[] file, params string[] mentions)
    {
        var seekable = Assert.Throws<InvalidModelFileException>(() => ModelFileBytes.LoadSeekable(file));
        foreach (string mention in mentions) Assert.Contains(mention, seekable.Message);
        var unseekable = Assert.Throws<InvalidModelFileException>(() => ModelFileBytes.LoadUnseekable(file));
        Assert.Equal(seekable.Message, unseekable.Message);

        using var folder = new TemporaryFolder();
        string path = folder.File("model.rnnf");
        File.WriteAllBytes(path, file);
        var fromPath = Assert.Throws<InvalidModelFileException>(() => RnnModelFile.Load(path));
        Assert.Equal($"{path}: {seekable.Message}", fromPath.Message);
    }
}
