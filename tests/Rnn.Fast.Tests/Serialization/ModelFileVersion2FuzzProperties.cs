using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace Rnn.Fast.Tests.Serialization;

/// <summary>
/// Fuzzing the version-2 loader: files with sections of every kind, damaged in the section table (counts, names,
/// types, flags, lengths, payloads, truncation, appended bytes) with and without a fixed checksum. As for version 1
/// (<see cref="RnnModelFileFuzzProperties"/>, whose per-file check this reuses), every load either succeeds with
/// contents that re-save to exactly the bytes read, or throws <see cref="InvalidModelFileException"/> with a
/// documented problem; seekable, unseekable and path loads agree, and no load allocates more than 1 MiB.
/// </summary>
/// <remarks>
/// Case count: 6,000 files (about 4 seconds on the 2-core development machine: four loads and a small file write per
/// case) — enough that every section check fires at least 10 times, which the test asserts; the 120-second limit
/// catches a hang without being anywhere near a slow run.
/// </remarks>
public sealed class ModelFileVersion2FuzzProperties(ITestOutputHelper output)
{
    private const int Cases = 6_000;

    /// <summary>What a fuzzed version-2 file must reach often: success and each check of the section table.</summary>
    private static readonly string[] Outcomes =
        ["loaded", "truncated", "checksum mismatch", "invalid section", "unsupported section", "too large", "trailing data"];

    [Fact]
    public async Task MutatedVersion2FilesEitherLoadAndRoundTripOrAreRejectedWithTheDocumentedException()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("fuzz2.rnnf");
        var outcomes = new Dictionary<string, int>();
        var clock = Stopwatch.StartNew();

        Task fuzz = Task.Run(() => Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases), Prop.ForAll(ModelFileVersion2FuzzCase.Arbitrary, (ModelFileVersion2FuzzCase c) =>
        {
            var log = new List<string>();
            byte[] file = c.Mutate(log);
            string context = $"{c}: {string.Join("; ", log)}";
            foreach (string outcome in RnnModelFileFuzzProperties.CheckOneFile(file, path, context))
            {
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
        })));
        await fuzz.WaitAsync(TimeSpan.FromSeconds(120));

        string summary = $"{Cases} cases in {clock.Elapsed.TotalSeconds:F1} s; outcomes: " +
            string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}"));
        output.WriteLine(summary);
        foreach (string outcome in Outcomes)
        {
            Assert.True(outcomes.GetValueOrDefault(outcome) >= 10, $"'{outcome}' happened {outcomes.GetValueOrDefault(outcome)} times; {summary}");
        }
    }
}
