using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Serialization;

/// <summary>
/// Saving survives a real crash: a child process (this test assembly run with dotnet exec, see
/// <see cref="TestAssemblyProgram"/>) saves models to one path in a loop and is killed with SIGKILL at a moment drawn
/// from a seeded generator, 24 times. After every kill the path loads as the model the last completed save wrote or
/// the one the save in progress was writing — never anything else — and every other file in the folder is a
/// temporary file named as the documentation says. After the rename, the folder is flushed; a save that overlaps an
/// update of its model by another thread writes no file any load accepts.
/// </summary>
public sealed partial class RnnModelFileCrashTests
{
    // 24 kills, each costing a child's start-up and two warm-up saves, each after a seeded delay of 0–25 ms, long enough
    // for many of the child's saves, so the kill lands anywhere in one of them: in the write, the flushes, the rename or
    // between saves.
    private const int Kills = 24, Seed = 20_261_201;

    [GeneratedRegex(@"^model\.rnnf\.[0-9a-f]{16}\.tmp$")]
    private static partial Regex TemporaryName();

    [Fact]
    public void KillingASavingProcessAtRandomMomentsLeavesTheOldModelOrTheNew()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return; // Process.Kill sends SIGKILL on Unix only
        using var folder = new TemporaryFolder();
        using var warmUpFolder = new TemporaryFolder();
        string path = folder.File("model.rnnf");
        RnnModel[] models = TestAssemblyProgram.Models();
        var initial = new RnnModel(models[0].Shape, 99UL);
        RnnModelFile.Save(initial, path);
        float[] previous = initial.Parameters.ToArray();
        var random = new Random(Seed);
        int leftovers = 0;

        for (int kill = 0; kill < Kills; kill++)
        {
            int delay = random.Next(0, 26);
            var lines = new ConcurrentQueue<string>();
            using var ready = new ManualResetEventSlim(false);
            using var child = StartChild(path, warmUpFolder.File("warm-up.rnnf"), lines, ready);
            Assert.True(ready.Wait(TimeSpan.FromSeconds(60)), $"kill {kill}: the child never said it was ready");
            Thread.Sleep(delay);
            child.Kill();
            child.WaitForExit();

            long lastSaved = lines.Where(l => l.StartsWith("saved ", StringComparison.Ordinal)).Select(l => long.Parse(l[6..])).DefaultIfEmpty(-1).Max();
            // The rename of the save after the last "saved" line may have happened before the kill: either is allowed.
            float[] completed = lastSaved < 0 ? previous : models[lastSaved % 4].Parameters.ToArray();
            float[] inProgress = models[(lastSaved + 1) % 4].Parameters.ToArray();
            RnnModel loaded = RnnModelFile.Load(path);
            float[] actual = loaded.Parameters.ToArray();
            string context = $"kill {kill} (seed {Seed}, delay {delay} ms, last completed save {lastSaved})";
            Assert.True(SameBits(completed, actual) || SameBits(inProgress, actual), $"{context}: the file holds neither the old model nor the new one");

            foreach (string name in folder.FileNames().Where(n => n != "model.rnnf"))
            {
                Assert.Matches(TemporaryName(), name);
                File.Delete(folder.File(name));
                leftovers++;
            }

            previous = actual;
        }

        Assert.InRange(leftovers, 0, Kills); // at most the one save each kill interrupted
    }

    [Fact]
    public void SaveFlushesTheFolderAfterTheRename()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("model.rnnf");
        RnnModel model = TestAssemblyProgram.Models()[1];
        string? flushed = null;
        bool renamedFirst = false, succeeded = false;
        RnnModelFile.Save(model, path, beforeRename: null, flushFolder: f =>
        {
            flushed = f;
            renamedFirst = File.Exists(path) && folder.FileNames().SequenceEqual(["model.rnnf"]);
            succeeded = DirectoryFlush.Flush(f);
            return succeeded;
        });
        Assert.Equal(folder.Path, flushed);
        Assert.True(renamedFirst, "the folder is flushed after the rename, when only the target is left");
        // fsync of a folder works on the file systems Linux uses for temporary folders; elsewhere it is skipped.
        Assert.Equal(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD(), succeeded);
        FloatAssert.BitIdentical(model.Parameters, RnnModelFile.Load(path).Parameters, "the saved model");
    }

    [Fact]
    public void ASaveOverlappedByAnUpdateRenamesNothingAndWritesNoValidFile()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("model.rnnf");
        RnnModel[] models = TestAssemblyProgram.Models();
        RnnModelFile.Save(models[0], path);
        byte[] before = File.ReadAllBytes(path);
        var model = new RnnModel(models[1].Shape, models[1].Parameters);
        void UpdateDuringTheNextRead() => model.ReadBeganForTest = () =>
        {
            model.ReadBeganForTest = null;
            model.SetParameters(models[2].Parameters);
        };

        UpdateDuringTheNextRead();
        Assert.Throws<InvalidOperationException>(() => RnnModelFile.Save(model, path));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.rnnf" }, folder.FileNames());

        UpdateDuringTheNextRead();
        using var stream = new MemoryStream();
        Assert.Throws<InvalidOperationException>(() => RnnModelFile.Save(model, stream));
        var error = Assert.Throws<InvalidModelFileException>(() => ModelFileBytes.LoadSeekable(stream.ToArray()));
        Assert.StartsWith("truncated", error.Message);
    }

    private static Process StartChild(string path, string warmUpPath, ConcurrentQueue<string> lines, ManualResetEventSlim ready)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(TestAssemblyProgram).Assembly.Location);
        start.ArgumentList.Add(TestAssemblyProgram.SaveUntilKilledArgument);
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(warmUpPath);
        // The child only saves: quick start-up matters more than the test host's settings.
        start.Environment["DOTNET_TieredCompilation"] = "1";
        var child = new Process { StartInfo = start };
        child.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lines.Enqueue(e.Data);
            if (e.Data == "ready") ready.Set();
        };
        child.ErrorDataReceived += (_, _) => { };
        child.Start();
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        return child;
    }

    private static bool SameBits(float[] expected, float[] actual) =>
        expected.Length == actual.Length && expected.Select(BitConverter.SingleToInt32Bits).SequenceEqual(actual.Select(BitConverter.SingleToInt32Bits));
}
