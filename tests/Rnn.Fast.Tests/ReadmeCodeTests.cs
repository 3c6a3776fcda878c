using System.Text.RegularExpressions;

namespace Rnn.Fast.Tests;

/// <summary>
/// The README cannot drift from code that works: each C# block in README.md names, in the sentence after it, the test
/// that runs it ("The test `Name` runs exactly these statements."), and that test's source holds the block verbatim
/// (line by line, indentation aside).
/// </summary>
public sealed partial class ReadmeCodeTests
{
    /// <summary>The README stays a page for users: 300 lines at most (the rest belongs in docs/).</summary>
    [Fact]
    public void TheReadmeHasAtMostThreeHundredLines()
    {
        string[] lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md"));
        Assert.True(lines.Length <= 300, $"README.md has {lines.Length} lines; move detail to docs/");
    }

    [Fact]
    public void EveryCSharpBlockOfTheReadmeAppearsVerbatimInTheTestThatRunsIt()
    {
        string root = RepositoryRoot();
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        MatchCollection blocks = CSharpBlock().Matches(readme);
        Assert.NotEmpty(blocks);
        foreach (Match block in blocks)
        {
            string[] lines = Lines(block.Groups["code"].Value);
            Match named = RunBy().Match(readme, block.Index + block.Length);
            Assert.True(named.Success && named.Index - (block.Index + block.Length) < 200,
                $"the C# block starting '{lines[0]}' is not followed by \"(The test `Name` runs exactly these statements.)\"");
            string testName = named.Groups["test"].Value;
            string[] files = Directory.GetFiles(Path.Combine(root, "tests"), testName + ".cs", SearchOption.AllDirectories);
            Assert.True(files.Length == 1, $"the README names the test {testName}, but {files.Length} files are called {testName}.cs");
            string[] test = Lines(File.ReadAllText(files[0]));

            // Every statement line of the block, in order and contiguous, somewhere in the test (using directives
            // belong to the file's head, so they are matched anywhere).
            string[] statements = [.. lines.Where(l => !UsingDirective().IsMatch(l))];
            foreach (string usingLine in lines.Except(statements))
            {
                Assert.True(test.Contains(usingLine) || usingLine == "using Rnn.Fast;", $"{testName} lacks the README's '{usingLine}'");
            }

            Assert.True(ContainsRun(test, statements), $"{testName}.cs does not contain the README's block starting '{statements[0]}' verbatim");
        }
    }

    private static bool ContainsRun(string[] haystack, string[] run)
    {
        for (int start = 0; start + run.Length <= haystack.Length; start++)
        {
            if (haystack.AsSpan(start, run.Length).SequenceEqual(run)) return true;
        }

        return false;
    }

    /// <summary>Non-blank lines with their leading and trailing white space removed.</summary>
    private static string[] Lines(string text) =>
        [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "README.md")) && File.Exists(Path.Combine(folder.FullName, "Rnn.Fast.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds README.md and Rnn.Fast.sln.");
    }

    [GeneratedRegex(@"```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"^using [\w.]+;$")]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"The test `(?<test>\w+)` runs exactly these statements")]
    private static partial Regex RunBy();
}
