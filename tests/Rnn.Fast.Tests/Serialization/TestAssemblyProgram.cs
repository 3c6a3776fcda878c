namespace Rnn.Fast.Tests.Serialization;

/// <summary>
/// The test assembly's entry point. Test runners never call it (they load the assembly into their own host); the
/// save-crash test runs the assembly with <c>dotnet exec</c> and <see cref="SaveUntilKilledArgument"/> to get a
/// child process that saves models in a loop until the test kills it.
/// </summary>
public static class TestAssemblyProgram
{
    /// <summary>
    /// The first argument that makes <see cref="Main"/> run <see cref="SaveUntilKilled"/>; the second is the path, the
    /// third a path in another folder for the warm-up saves.
    /// </summary>
    public const string SaveUntilKilledArgument = "--save-until-killed";

    /// <summary>The models the child saves in turn: save i writes <c>Models()[i % 4]</c>.</summary>
    public static RnnModel[] Models()
    {
        var shape = new RnnShape(16, 128, 16); // 20,624 parameters: an 82 KB file
        return [.. Enumerable.Range(0, 4).Select(k => new RnnModel(shape, (ulong)(100 + k)))];
    }

    /// <summary>Runs the child when asked; otherwise does nothing, as the test SDK's generated entry point does.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>0.</returns>
    public static int Main(string[] args)
    {
        if (args.Length == 3 && args[0] == SaveUntilKilledArgument) SaveUntilKilled(args[1], args[2]);
        return 0;
    }

    /// <summary>
    /// Saves twice to <paramref name="warmUpPath"/> (so the first compiles are done and the saves that follow take their
    /// steady time), prints "ready", then for i = 0, 1, 2, … prints "saving i", saves model i % 4 to
    /// <paramref name="path"/> and prints "saved i" (standard output flushes every line), until the process is killed.
    /// </summary>
    private static void SaveUntilKilled(string path, string warmUpPath)
    {
        RnnModel[] models = Models();
        RnnModelFile.Save(models[0], warmUpPath);
        RnnModelFile.Save(models[1], warmUpPath);
        Console.Out.WriteLine("ready");
        for (long i = 0; ; i++)
        {
            Console.Out.WriteLine($"saving {i}");
            RnnModelFile.Save(models[i % models.Length], path);
            Console.Out.WriteLine($"saved {i}");
        }
    }
}
