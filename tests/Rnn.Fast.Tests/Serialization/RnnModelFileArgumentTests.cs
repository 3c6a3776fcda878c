namespace Rnn.Fast.Tests.Serialization;

/// <summary>
/// Every public entry point of <see cref="RnnModelFile"/> checks its arguments before it touches a file or a
/// stream: the exception names the argument and says what is wrong, and the destination file, the folder and the
/// stream are left exactly as they were.
/// </summary>
public sealed class RnnModelFileArgumentTests
{
    private static readonly RnnModel Model = new(new RnnShape(2, 3, 1), seed: 4);

    [Fact]
    public void SaveToAPathWithBadArgumentsLeavesTheDestinationUntouched()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("model.rnnf");
        byte[] previous = [1, 2, 3, 4, 5];
        File.WriteAllBytes(path, previous);
        DateTime written = File.GetLastWriteTimeUtc(path);

        AssertRejected<ArgumentNullException>(() => RnnModelFile.Save(null!, path), "model");
        AssertRejected<ArgumentNullException>(() => RnnModelFile.Save(Model, (string)null!), "path");
        AssertRejected<ArgumentException>(() => RnnModelFile.Save(Model, ""), "path", "empty");
        AssertRejected<ArgumentException>(() => RnnModelFile.Save(Model, folder.Path), "path", folder.Path, "names a directory");

        Assert.Equal(previous, File.ReadAllBytes(path));
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
        Assert.Equal(new[] { "model.rnnf" }, folder.FileNames());
    }

    [Fact]
    public void SaveToAStreamWithBadArgumentsWritesNothing()
    {
        byte[] contents = [9, 8, 7];
        var readOnly = new RestrictedStream(contents, canWrite: false);
        readOnly.Position = 1;
        var writable = new RestrictedStream(contents, canWrite: true);
        writable.Position = 2;
        var closed = new MemoryStream();
        closed.Dispose();

        AssertRejected<ArgumentNullException>(() => RnnModelFile.Save(null!, writable), "model");
        AssertRejected<ArgumentNullException>(() => RnnModelFile.Save(Model, (Stream)null!), "stream");
        AssertRejected<ArgumentException>(() => RnnModelFile.Save(Model, readOnly), "stream", "writable");
        AssertRejected<ArgumentException>(() => RnnModelFile.Save(Model, closed), "stream", "writable");

        Assert.Equal(contents, readOnly.Contents);
        Assert.Equal(1, readOnly.Position);
        Assert.Equal(contents, writable.Contents);
        Assert.Equal(2, writable.Position);
    }

    [Fact]
    public void LoadFromAPathWithBadArgumentsNamesTheProblem()
    {
        using var folder = new TemporaryFolder();
        string missing = folder.File("missing.rnnf");

        AssertRejected<ArgumentNullException>(() => RnnModelFile.Load((string)null!), "path");
        AssertRejected<ArgumentException>(() => RnnModelFile.Load(""), "path", "empty");
        var notFound = Assert.Throws<FileNotFoundException>(() => RnnModelFile.Load(missing));
        Assert.Contains(missing, notFound.Message);
        var directory = Assert.Throws<UnauthorizedAccessException>(() => RnnModelFile.Load(folder.Path));
        Assert.Contains(folder.Path, directory.Message);
        Assert.Empty(folder.FileNames());
    }

    [Fact]
    public void LoadFromAStreamWithBadArgumentsReadsNothing()
    {
        byte[] file = ModelFileBytes.Save(Model);
        var writeOnly = new RestrictedStream(file, canRead: false, canWrite: true);
        var closed = new MemoryStream(file);
        closed.Dispose();

        AssertRejected<ArgumentNullException>(() => RnnModelFile.Load((Stream)null!), "stream");
        AssertRejected<ArgumentException>(() => RnnModelFile.Load(writeOnly), "stream", "readable");
        AssertRejected<ArgumentException>(() => RnnModelFile.Load(closed), "stream", "readable");
        Assert.Equal(0, writeOnly.Position);
        Assert.Equal(file, writeOnly.Contents);
    }

    /// <summary>The call throws exactly <typeparamref name="TException"/> for <paramref name="argument"/>, and the message mentions each of <paramref name="mentions"/>.</summary>
    private static void AssertRejected<TException>(Action call, string argument, params string[] mentions)
        where TException : ArgumentException
    {
        TException error = Assert.Throws<TException>(call);
        Assert.Equal(argument, error.ParamName);
        foreach (string mention in mentions) Assert.Contains(mention, error.Message);
    }
}
