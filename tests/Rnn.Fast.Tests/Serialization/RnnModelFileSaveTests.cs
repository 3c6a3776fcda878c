using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Serialization;

/// <summary>
/// Saving to a path is atomic: the new file is written and flushed under a temporary name in the same folder, then
/// renamed over the old one. An interruption between write and rename (simulated through the internal seam that
/// runs just before the rename) leaves the previous file loadable and unchanged, and an exception leaves no
/// temporary file behind.
/// </summary>
public sealed class RnnModelFileSaveTests
{
    private static readonly RnnModel Old = new(new RnnShape(2, 4, 1), seed: 1);
    private static readonly RnnModel New = new(new RnnShape(3, 6, 2), seed: 2);

    [Fact]
    public void SaveCreatesTheFileAndNothingElse()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("model.rnnf");
        RnnModelFile.Save(Old, path);
        Assert.Equal(new[] { "model.rnnf" }, folder.FileNames());
        Assert.Equal(ModelFileBytes.Save(Old), File.ReadAllBytes(path));
    }

    [Fact]
    public void SaveReplacesAnExistingFileWhole()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("model.rnnf");
        RnnModelFile.Save(New, path); // the longer file first: no tail of it may survive
        RnnModelFile.Save(Old, path);
        Assert.Equal(ModelFileBytes.Save(Old), File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.rnnf" }, folder.FileNames());
    }

    [Fact]
    public void ASaveInterruptedBetweenWriteAndRenameLeavesThePreviousFileAndNoTemporaryFile()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("model.rnnf");
        RnnModelFile.Save(Old, path);
        byte[] before = File.ReadAllBytes(path);
        var crash = new IOException("simulated crash between write and rename");
        string? temporary = null;

        var thrown = Assert.Throws<IOException>(() => RnnModelFile.Save(New, path, beforeRename: written =>
        {
            // The moment of the crash: the new file is complete on disk beside the old one, which is untouched.
            temporary = written;
            Assert.Equal(folder.Path, Path.GetDirectoryName(written));
            Assert.Equal(ModelFileBytes.Save(New), File.ReadAllBytes(written));
            Assert.Equal(before, File.ReadAllBytes(path));
            throw crash;
        }));

        Assert.Same(crash, thrown);
        Assert.NotNull(temporary);
        Assert.False(File.Exists(temporary));
        Assert.Equal(new[] { "model.rnnf" }, folder.FileNames());
        Assert.Equal(before, File.ReadAllBytes(path));
        RnnModel loaded = RnnModelFile.Load(path);
        Assert.Equal(Old.Shape, loaded.Shape);
        FloatAssert.BitIdentical(Old.Parameters, loaded.Parameters, "the previous model after the interrupted save");
    }

    [Fact]
    public void AnInterruptedFirstSaveLeavesNoFileAtAll()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("model.rnnf");
        Assert.Throws<IOException>(() => RnnModelFile.Save(New, path, beforeRename: _ => throw new IOException("crash")));
        Assert.Empty(folder.FileNames());
    }

    [Fact]
    public void SavingIntoAMissingFolderFailsWithoutCreatingAnything()
    {
        using var folder = new TemporaryFolder();
        string path = Path.Combine(folder.Path, "missing", "model.rnnf");
        Assert.Throws<DirectoryNotFoundException>(() => RnnModelFile.Save(Old, path));
        Assert.Empty(folder.FileNames());
    }

    [Fact]
    public void ARelativePathIsSavedAndLoadedAgainstTheCurrentFolder()
    {
        using var folder = new TemporaryFolder();
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, folder.File("model.rnnf"));
        RnnModelFile.Save(Old, relative);
        Assert.Equal(new[] { "model.rnnf" }, folder.FileNames());
        FloatAssert.BitIdentical(Old.Parameters, RnnModelFile.Load(relative).Parameters, "relative path");
    }
}
