using System.Runtime.InteropServices;

namespace Rnn.Fast.Torch;

/// <summary>
/// Makes TorchSharp's native library loadable on a system whose libstdc++ is older than the one it was built for:
/// TorchSharp 0.107.0's <c>libLibTorchSharp.so</c> was built with GCC 13 and requires <c>GLIBCXX_3.4.32</c> of
/// libstdc++.so.6; Debian 12's libstdc++ (GCC 12) stops at <c>GLIBCXX_3.4.30</c>, so loading fails with
/// "version `GLIBCXX_3.4.32' not found".
/// </summary>
/// <remarks>
/// <para>Why the remedy is sound: the only symbol bound to GLIBCXX_3.4.32 is <c>std::ios_base_library_init()</c>, a
/// marker that GCC 13's &lt;iostream&gt; references and nothing calls (no relocation uses it). So the requirement
/// can be made weak (VER_FLG_WEAK in its Vernaux entry), which tells ld.so to accept a libstdc++ without it.</para>
/// <para>What it touches: only the copies of libLibTorchSharp.so in this application's output directory (never the
/// NuGet cache), only when the libstdc++ loaded in this process lacks GLIBCXX_3.4.32, and only the two bytes of that
/// flag. The edited file replaces the original by rename, so a hard link into the package cache would be broken, not
/// written through. A later build copies the original back (it differs in time stamp); the next run edits it again.</para>
/// <para>When: call <see cref="EnsureLoadable"/> before any TorchSharp type is used, because TorchSharp loads its
/// natives once, on first use. The parity tests and the peer benchmarks call it from a module initializer.</para>
/// </remarks>
public static class LibTorchSharpLoading
{
    /// <summary>The version of libstdc++ that libLibTorchSharp.so requires and Debian 12 lacks.</summary>
    public const string MissingVersion = "GLIBCXX_3.4.32";

    /// <summary>The library that version belongs to, as the requirement names it.</summary>
    public const string StandardLibrary = "libstdc++.so.6";

    private const string NativeFileName = "libLibTorchSharp.so";

    private static readonly Lazy<IReadOnlyList<string>> s_edited = new(EditOutputCopies);

    /// <summary>
    /// Applies the remedy once per process if this system needs it; does nothing on other operating systems or
    /// when the loaded libstdc++ already defines <see cref="MissingVersion"/>.
    /// </summary>
    /// <returns>The files edited now (empty when none needed it or they were already edited).</returns>
    /// <exception cref="IOException">An output copy could not be rewritten.</exception>
    public static IReadOnlyList<string> EnsureLoadable() => s_edited.Value;

    /// <summary>
    /// The path of the libstdc++ mapped into this process (from /proc/self/maps; the .NET runtime links it), or
    /// null when none is mapped.
    /// </summary>
    public static string? LoadedStandardLibraryPath()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) return null;
        foreach (string line in File.ReadLines(maps))
        {
            // "address perms offset dev inode   /path": the path is the last field and starts with '/'.
            int slash = line.IndexOf('/');
            if (slash < 0) continue;
            string path = line[slash..];
            if (Path.GetFileName(path).StartsWith("libstdc++.so", StringComparison.Ordinal)) return path;
        }

        return null;
    }

    /// <summary>Whether the libstdc++ at <paramref name="path"/> defines <see cref="MissingVersion"/>.</summary>
    /// <param name="path">A libstdc++ shared object.</param>
    public static bool DefinesMissingVersion(string path) =>
        ElfVersionSections.ReadVersionDefinitions(File.ReadAllBytes(path)).Contains(MissingVersion);

    /// <summary>
    /// Sets the weak flag on the <see cref="MissingVersion"/> requirement of the file at <paramref name="path"/>,
    /// writing a sibling temporary file and renaming it over the original (the file mode is kept).
    /// </summary>
    /// <param name="path">A copy of libLibTorchSharp.so.</param>
    /// <returns>True when the file was rewritten; false when the flag was already set (the file is untouched).</returns>
    /// <exception cref="InvalidDataException">The file is not an ELF64 little-endian object.</exception>
    /// <exception cref="ArgumentException">The file does not require <see cref="MissingVersion"/>.</exception>
    public static bool MarkMissingVersionWeak(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (!ElfVersionSections.MarkVersionNeedWeak(elf, StandardLibrary, MissingVersion)) return false;
        string temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllBytes(temporary, elf);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, File.GetUnixFileMode(path));
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary); // Only left behind when the move failed.
        }

        return true;
    }

    private static IReadOnlyList<string> EditOutputCopies()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return [];
        string? standardLibrary = LoadedStandardLibraryPath();
        if (standardLibrary is null || DefinesMissingVersion(standardLibrary)) return [];

        // Where the runtime and TorchSharp look for it: the RID-specific asset folder, or the application folder.
        string baseDirectory = AppContext.BaseDirectory;
        string[] candidates =
        [
            Path.Combine(baseDirectory, "runtimes", "linux-x64", "native", NativeFileName),
            Path.Combine(baseDirectory, NativeFileName),
        ];
        var edited = new List<string>();
        foreach (string path in candidates)
        {
            if (File.Exists(path) && MarkMissingVersionWeak(path)) edited.Add(path);
        }

        return edited;
    }
}
