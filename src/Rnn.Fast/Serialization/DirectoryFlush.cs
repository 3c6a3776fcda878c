using System.Runtime.InteropServices;

namespace Rnn.Fast;

/// <summary>
/// Flushes a folder's entries to disk after a file was renamed into it, where the operating system allows, so that
/// after a power loss the new name, not the old file, is found there. A rename is durable only once the folder that
/// holds it is: flushing the file alone makes its bytes durable, not the entry that names it.
/// </summary>
internal static partial class DirectoryFlush
{
    /// <summary>
    /// On Linux, macOS and FreeBSD: opens <paramref name="folder"/> read-only, fsyncs it and closes it. Elsewhere
    /// (Windows, where .NET offers no handle to a folder and NTFS journals the rename), nothing. Best effort: the rename
    /// has happened and the new file is complete either way, so an error (a file system that cannot flush folders) is
    /// ignored rather than reported as a failed save.
    /// </summary>
    /// <param name="folder">The folder the file was renamed into.</param>
    /// <returns>Whether the folder was flushed (for tests).</returns>
    public static bool Flush(string folder)
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())) return false;
        int descriptor = Open(folder, ReadOnly);
        if (descriptor < 0) return false;
        try
        {
            return FileSync(descriptor) == 0;
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    // O_RDONLY is 0 on every Unix; a folder opened read-only can be fsynced.
    private const int ReadOnly = 0;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FileSync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
