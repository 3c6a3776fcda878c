using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using Rnn.Fast.Interop;
using Rnn.Fast.Tests.Serialization;
using Rnn.Fast.Tests.Support;
using Xunit.Abstractions;

namespace Rnn.Fast.Tests.Interop;

/// <summary>
/// Fuzzing the safetensors import with mutated state_dict files: every load either returns a model that round-trips
/// and holds what the file holds, or throws <see cref="InvalidModelFileException"/> with a documented problem (or
/// <see cref="NotSupportedException"/> for a ReLU RNN named in the metadata) — nothing else, no hang, no allocation
/// beyond what the file holds. Each file is loaded from a seekable stream, an unseekable stream and a path, which
/// must agree.
/// </summary>
/// <remarks>
/// Case count: 11,000 mutated files, so that at least 10,000 differ from the valid file they came from even after
/// mutations that change nothing (the test asserts it). Three small loads and a file write per case take a few
/// seconds on the 2-core development machine (the test prints the time and every outcome's count); the 120-second
/// limit catches a hang without being near a slow run.
/// </remarks>
public sealed class SafetensorsFuzzProperties(ITestOutputHelper output)
{
    private const int Cases = 11_000;
    private const int RequiredMutatedFiles = 10_000;

    /// <summary>No load of these files (under 2 KB) may allocate more than this, the 64 KiB chunk buffers included.</summary>
    private const long AllocationLimit = 1024 * 1024;

    /// <summary>Every documented problem, by the first words of its message.</summary>
    private static readonly string[] Problems =
    [
        "truncated", "header too large", "invalid header", "shape overflow", "invalid offsets", "trailing data", "no recurrent layer",
        "no head", "ambiguous", "missing tensor", "unexpected tensor", "wrong shape", "unsupported dtype", "too large", "metadata mismatch",
    ];

    private const string NotSupported = "not supported";

    [Fact]
    public async Task MutatedFilesEitherLoadFaithfullyOrAreRejectedWithADocumentedProblem()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("fuzz.safetensors");
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        int mutatedFiles = 0;
        var clock = Stopwatch.StartNew();

        Task fuzz = Task.Run(() => Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases), Prop.ForAll(SafetensorsFuzzCase.Arbitrary, (SafetensorsFuzzCase c) =>
        {
            var log = new List<string>();
            byte[] file = c.Mutate(log);
            if (!file.AsSpan().SequenceEqual(c.Original())) mutatedFiles++;
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
        // The fuzz reaches every check and the success path, rather than stopping at the first check every time.
        foreach (string problem in Problems.Append("loaded").Append(NotSupported))
        {
            Assert.True(outcomes.GetValueOrDefault(problem) >= 10, $"'{problem}' happened {outcomes.GetValueOrDefault(problem)} times; {summary}");
        }
    }

    /// <summary>
    /// Loads <paramref name="file"/> three ways, checks that they agree and that a loaded model is the file's, and
    /// returns what happened ("loaded", a problem's name, or "not supported").
    /// </summary>
    private static IEnumerable<string> CheckOneFile(byte[] file, string path, string context)
    {
        (PyTorchImport? import, string? problem) = Load(() => PyTorchSafetensors.Load(new MemoryStream(file, writable: false)), context);
        (PyTorchImport? unseekable, string? unseekableProblem) = Load(() => PyTorchSafetensors.Load(new RestrictedStream(file, canSeek: false)), context);
        File.WriteAllBytes(path, file);
        (PyTorchImport? fromPath, string? pathProblem) = Load(() => PyTorchSafetensors.Load(path), context);

        Assert.True(unseekableProblem == problem, $"unseekable load said '{unseekableProblem}', seekable '{problem}'; {context}");
        if (import is null)
        {
            Assert.True(pathProblem == $"{path}: {problem}" || (problem!.StartsWith(NotSupported, StringComparison.Ordinal) && pathProblem == problem),
                $"path load said '{pathProblem}', seekable '{problem}'; {context}");
            string? name = problem!.StartsWith(NotSupported, StringComparison.Ordinal)
                ? NotSupported
                : Problems.FirstOrDefault(p => problem.StartsWith(p, StringComparison.Ordinal));
            Assert.True(name is not null, $"'{problem}' does not start with a documented problem; {context}");
            yield return name;
            yield break;
        }

        // Success: the model holds the file's tensors mapped as documented (decoded by the tests' own reader), and
        // saving it gives a file that loads back to the same bits.
        Assert.NotNull(unseekable);
        FloatAssert.BitIdentical(import.Model.Parameters, unseekable.Model.Parameters, $"unseekable parameters; {context}");
        float[] expected = TorchLayout.Parameters(PyTorchFixtures.ReadSafetensors(file).ToDictionary(t => t.Key, t => t.Value.AsSingle()), import.RnnPrefix, import.HeadPrefix);
        FloatAssert.BitIdenticalAnyNaN(expected, import.Model.Parameters, $"the file's tensors in our layout; {context}");
        var resaved = new MemoryStream();
        PyTorchSafetensors.Save(import.Model, resaved);
        FloatAssert.BitIdentical(import.Model.Parameters, PyTorchSafetensors.Load(new MemoryStream(resaved.ToArray())).Model.Parameters, $"re-saved; {context}");
        yield return "loaded";

        if (fromPath is not null)
        {
            FloatAssert.BitIdentical(import.Model.Parameters, fromPath.Model.Parameters, $"path parameters; {context}");
        }
        else
        {
            Assert.True(pathProblem!.StartsWith($"{path}: trailing data: ", StringComparison.Ordinal), $"path load said '{pathProblem}' where the stream succeeded; {context}");
            yield return "trailing data";
        }
    }

    /// <summary>
    /// The import, or the message of the documented exception ("not supported: …" for NotSupportedException); any
    /// other exception fails the case. Also fails a load that allocates more than <see cref="AllocationLimit"/>.
    /// </summary>
    private static (PyTorchImport? Import, string? Problem) Load(Func<PyTorchImport> load, string context)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        PyTorchImport? import = null;
        string? problem = null;
        try
        {
            import = load();
        }
        catch (InvalidModelFileException error)
        {
            problem = error.Message;
        }
        catch (NotSupportedException error) when (error.Message.Contains("relu", StringComparison.Ordinal))
        {
            problem = $"{NotSupported}: {error.Message[(error.Message.IndexOf("the file's", StringComparison.Ordinal) is int at and >= 0 ? at : 0)..]}";
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= AllocationLimit, $"a load allocated {allocated} bytes; {context}");
        return (import, problem);
    }
}
