using System.Buffers.Binary;
using System.Diagnostics;
using Xunit.Abstractions;
using FsCheck;
using FsCheck.Fluent;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Serialization;

/// <summary>
/// Fuzzing the loader with mutated and truncated model files: load either succeeds with a model that round-trips
/// or throws <see cref="InvalidModelFileException"/> — nothing else, no hang, no large allocation from a forged size
/// field. Each file is loaded three ways (seekable stream, unseekable stream, file path), which must agree.
/// </summary>
/// <remarks>
/// Case count: 12,000 mutated files, so that at least 10,000 (the count the format's promise is held to) differ from the valid
/// file they came from even after mutations that happen to change nothing; the test asserts that. With three loads
/// and a small file write per case it takes about 9 seconds on the 2-core development machine (the test's output
/// gives the time and how often each outcome happened); the 120-second limit catches a hang without being anywhere
/// near a slow run.
/// </remarks>
public sealed class RnnModelFileFuzzProperties(ITestOutputHelper output)
{
    private const int Cases = 12_000;
    private const int RequiredMutatedFiles = 10_000;

    /// <summary>No load of a file under 600 bytes may allocate more than this (the 64 KiB chunk buffers and the model included).</summary>
    private const long AllocationLimit = 1024 * 1024;

    /// <summary>Every documented problem, by the first words of its message.</summary>
    private static readonly string[] Problems =
    [
        "truncated", "wrong magic", "format version", "invalid size", "unknown activation", "too large",
        "parameter count mismatch", "checksum mismatch", "trailing data", "invalid section", "unsupported section",
    ];

    /// <summary>The problems a fuzzed version-1 file reaches often: the section checks need a version-2 file (see
    /// <see cref="ModelFileVersion2FuzzProperties"/>), which a mutated version field alone seldom makes.</summary>
    private static readonly string[] Version1Problems = Problems[..9];

    [Fact]
    public async Task MutatedFilesEitherLoadAndRoundTripOrAreRejectedWithTheDocumentedException()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("fuzz.rnnf");
        var outcomes = new Dictionary<string, int>();
        int mutatedFiles = 0;
        var clock = Stopwatch.StartNew();

        Task fuzz = Task.Run(() => Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases), Prop.ForAll(ModelFileFuzzCase.Arbitrary, (ModelFileFuzzCase c) =>
        {
            byte[] valid = ModelFileBytes.Save(c.Model());
            var log = new List<string>();
            byte[] file = c.Mutate(valid, log);
            if (!file.AsSpan().SequenceEqual(valid)) mutatedFiles++;
            string context = $"{c}: {string.Join("; ", log)}";

            foreach (string outcome in CheckOneFile(file, path, context))
            {
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
        })));
        await fuzz.WaitAsync(TimeSpan.FromSeconds(120));

        string summary = $"{Cases} cases in {clock.Elapsed.TotalSeconds:F1} s; outcomes: " +
            string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}"));
        output.WriteLine($"{mutatedFiles} of the files differed from their original; {summary}");
        Assert.True(mutatedFiles >= RequiredMutatedFiles, $"only {mutatedFiles} files differed from their valid original; {summary}");
        // The fuzz reaches every check and the success path, rather than stopping at the checksum every time.
        foreach (string problem in Version1Problems.Append("loaded"))
        {
            Assert.True(outcomes.GetValueOrDefault(problem) >= 10, $"'{problem}' happened {outcomes.GetValueOrDefault(problem)} times; {summary}");
        }
    }

    /// <summary>
    /// Loads <paramref name="file"/> from a seekable stream, an unseekable stream and a file, checks that the three
    /// agree, that <see cref="RnnModelFile.Load(Stream)"/> (the model alone) agrees with
    /// <see cref="RnnModelFile.LoadContents(Stream)"/>, and that anything loaded round-trips: re-saving the model (with
    /// its sections, for version 2) gives the bytes it was read from. Returns what happened ("loaded" or the problem's name).
    /// </summary>
    internal static IEnumerable<string> CheckOneFile(byte[] file, string path, string context)
    {
        var seekable = new MemoryStream(file, writable: false);
        (RnnModelFileContents? contents, string? problem) = Load(() => RnnModelFile.LoadContents(seekable), context);
        (RnnModelFileContents? unseekableContents, string? unseekableProblem) = Load(() => RnnModelFile.LoadContents(new RestrictedStream(file, canSeek: false)), context);
        (RnnModel? modelOnly, string? modelOnlyProblem) = Load(() => ModelFileBytes.LoadSeekable(file), context);
        File.WriteAllBytes(path, file);
        (RnnModelFileContents? pathContents, string? pathProblem) = Load(() => RnnModelFile.LoadContents(path), context);
        Assert.True(modelOnlyProblem == problem, $"Load said '{modelOnlyProblem}', LoadContents '{problem}'; {context}");

        if (contents is null)
        {
            Assert.True(unseekableProblem == problem, $"unseekable load said '{unseekableProblem}', seekable '{problem}'; {context}");
            Assert.True(pathProblem == $"{path}: {problem}", $"path load said '{pathProblem}', seekable '{problem}'; {context}");
            string? name = Problems.FirstOrDefault(p => problem!.StartsWith(p, StringComparison.Ordinal));
            Assert.True(name is not null, $"'{problem}' does not start with a documented problem; {context}");
            yield return name;
            yield break;
        }

        // Success: the file starts with exactly what save writes for what was loaded, which reloads to the same bits.
        RnnModel model = contents.Model;
        byte[] resaved = contents.FormatVersion == 1 ? ModelFileBytes.Save(model) : ModelFileBytes.Save(model, contents.Sections);
        Assert.True(seekable.Position == resaved.Length, $"the load stopped at {seekable.Position}, the model's file is {resaved.Length} bytes; {context}");
        Assert.True(file.AsSpan(0, resaved.Length).SequenceEqual(resaved), $"the accepted file differs from the loaded model's file; {context}");
        Assert.True(contents.Checksum == BinaryPrimitives.ReadUInt32LittleEndian(resaved.AsSpan(resaved.Length - 4)), $"the checksum reported is not the file's; {context}");
        RnnModel reloaded = ModelFileBytes.LoadSeekable(resaved);
        Assert.Equal(model.Shape, reloaded.Shape);
        FloatAssert.BitIdentical(model.Parameters, reloaded.Parameters, $"re-saved parameters; {context}");
        FloatAssert.BitIdentical(model.Parameters, modelOnly!.Parameters, $"Load's parameters; {context}");

        Assert.True(unseekableContents is not null, $"unseekable load said '{unseekableProblem}' where the seekable one succeeded; {context}");
        Assert.Equal(model.Shape, unseekableContents.Model.Shape);
        FloatAssert.BitIdentical(model.Parameters, unseekableContents.Model.Parameters, $"unseekable parameters; {context}");
        Assert.True(unseekableContents.Sections.Count == contents.Sections.Count && unseekableContents.Sections.Zip(contents.Sections).All(p =>
            p.First.Name == p.Second.Name && p.First.Type == p.Second.Type && p.First.IsRequired == p.Second.IsRequired && p.First.Payload.SequenceEqual(p.Second.Payload)),
            $"the unseekable load read other sections; {context}");

        yield return "loaded";
        if (resaved.Length == file.Length)
        {
            Assert.True(pathContents is not null, $"path load said '{pathProblem}' where the stream succeeded; {context}");
            FloatAssert.BitIdentical(model.Parameters, pathContents.Model.Parameters, $"path parameters; {context}");
        }
        else
        {
            Assert.Equal($"{path}: trailing data: {file.Length - resaved.Length} bytes follow the checksum; a model file ends with its checksum.", pathProblem);
            yield return "trailing data";
        }
    }

    /// <summary>
    /// The contents (or model), or the message of the <see cref="InvalidModelFileException"/>; any other exception propagates and
    /// fails the case. Also fails a load that allocates more than <see cref="AllocationLimit"/>.
    /// </summary>
    private static (T? Result, string? Problem) Load<T>(Func<T> load, string context)
        where T : class
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        T? contents = null;
        string? problem = null;
        try
        {
            contents = load();
        }
        catch (InvalidModelFileException error)
        {
            problem = error.Message;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= AllocationLimit, $"a load allocated {allocated} bytes; {context}");
        return (contents, problem);
    }
}
