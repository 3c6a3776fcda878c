using System.Runtime.Versioning;
using Rnn.Fast.Torch;

namespace Rnn.Fast.Parity.Tests.Loading;

/// <summary>
/// The ELF edit behind the libLibTorchSharp.so loading remedy, on copies of the real file: it finds the
/// GLIBCXX_3.4.32 requirement, sets its weak flag and nothing else, and is idempotent. Linux only, like the
/// libtorch package this project references.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ElfVersionSectionsTests
{
    /// <summary>The copy of libLibTorchSharp.so in this test's output (already edited by the module initializer on
    /// a system that needs it).</summary>
    private static readonly string s_outputCopy =
        Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void TheNativeLibraryRequiresGlibcxx3432OfLibstdcxxUnderItsElfHash()
    {
        ElfVersionNeed need = FindMissingVersionNeed(File.ReadAllBytes(s_outputCopy));

        // vna_hash is written by the linker; an independent computation of it shows the entry was read where it lies.
        Assert.Equal(SystemVElfHash(LibTorchSharpLoading.MissingVersion), need.Hash);
    }

    [Fact]
    public void MarkingWeakSetsThatOneFlagAndChangesNoOtherByte()
    {
        byte[] original = PristineCopy(out ElfVersionNeed before);
        byte[] edited = (byte[])original.Clone();

        bool changed = ElfVersionSections.MarkVersionNeedWeak(edited, LibTorchSharpLoading.StandardLibrary, LibTorchSharpLoading.MissingVersion);

        Assert.True(changed);
        Assert.True(FindMissingVersionNeed(edited).IsWeak);
        int[] differing = [.. Enumerable.Range(0, original.Length).Where(i => original[i] != edited[i])];
        Assert.Equal([before.FlagsOffset], differing); // The low byte of vna_flags; 0x2 fits in it.
        Assert.Equal(
            ElfVersionSections.ReadVersionNeeds(original).Where(n => n.Name != LibTorchSharpLoading.MissingVersion),
            ElfVersionSections.ReadVersionNeeds(edited).Where(n => n.Name != LibTorchSharpLoading.MissingVersion));
    }

    [Fact]
    public void MarkingWeakTwiceChangesNothingTheSecondTime()
    {
        byte[] elf = PristineCopy(out _);
        ElfVersionSections.MarkVersionNeedWeak(elf, LibTorchSharpLoading.StandardLibrary, LibTorchSharpLoading.MissingVersion);
        byte[] once = (byte[])elf.Clone();

        bool changed = ElfVersionSections.MarkVersionNeedWeak(elf, LibTorchSharpLoading.StandardLibrary, LibTorchSharpLoading.MissingVersion);

        Assert.False(changed);
        Assert.Equal(once, elf);
    }

    [Fact]
    public void TheFileEditRewritesAPristineCopyOnceAndKeepsItsMode()
    {
        byte[] pristine = PristineCopy(out _);
        byte[] expected = (byte[])pristine.Clone();
        ElfVersionSections.MarkVersionNeedWeak(expected, LibTorchSharpLoading.StandardLibrary, LibTorchSharpLoading.MissingVersion);
        string directory = Directory.CreateTempSubdirectory("rnnfast-elf-").FullName;
        try
        {
            string path = Path.Combine(directory, "libLibTorchSharp.so");
            File.WriteAllBytes(path, pristine);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            Assert.True(LibTorchSharpLoading.MarkMissingVersionWeak(path));
            Assert.False(LibTorchSharpLoading.MarkMissingVersionWeak(path));

            Assert.Equal(expected, File.ReadAllBytes(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(path));
            Assert.Equal(["libLibTorchSharp.so"], Directory.GetFiles(directory).Select(Path.GetFileName)); // No temporary left.
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void ARequirementTheFileDoesNotHaveIsAnArgumentError()
    {
        byte[] elf = File.ReadAllBytes(s_outputCopy);

        Assert.Throws<ArgumentException>(() => ElfVersionSections.MarkVersionNeedWeak(elf, LibTorchSharpLoading.StandardLibrary, "GLIBCXX_9.9.9"));
    }

    [Fact]
    public void BytesThatAreNotAnElf64LittleEndianFileAreRejected()
    {
        byte[] text = "#!/bin/sh\necho this is not an ELF file, but it is longer than an ELF header\n"u8.ToArray();

        Assert.Throws<InvalidDataException>(() => ElfVersionSections.ReadVersionNeeds(text));
    }

    [Fact]
    public void ATruncatedFileIsRejectedNotReadOutOfRange()
    {
        byte[] truncated = File.ReadAllBytes(s_outputCopy)[..4096]; // The header survives; the section table does not.

        Assert.Throws<InvalidDataException>(() => ElfVersionSections.ReadVersionNeeds(truncated));
    }

    [Fact]
    public void TheLoadedLibstdcxxIsFoundAndItsVersionsAreRead()
    {
        string? path = LibTorchSharpLoading.LoadedStandardLibraryPath();

        Assert.NotNull(path);
        IReadOnlyList<string> versions = ElfVersionSections.ReadVersionDefinitions(File.ReadAllBytes(path));
        Assert.Contains("GLIBCXX_3.4", versions); // The base version every libstdc++ defines.
        Assert.Contains("CXXABI_1.3", versions);
    }

    [Fact]
    public void WhereTheLoadedLibstdcxxLacksTheVersionTheOutputCopyRequiresItWeakly()
    {
        string path = LibTorchSharpLoading.LoadedStandardLibraryPath()!;
        bool needed = !LibTorchSharpLoading.DefinesMissingVersion(path);

        ElfVersionNeed need = FindMissingVersionNeed(File.ReadAllBytes(s_outputCopy));

        // The module initializer ran before this test; where it had nothing to do the file is as NuGet shipped it.
        if (needed) Assert.True(need.IsWeak);
        else Assert.False(need.IsWeak);
    }

    /// <summary>The output copy with the weak flag cleared again: the bytes as the package ships them.</summary>
    private static byte[] PristineCopy(out ElfVersionNeed need)
    {
        byte[] elf = File.ReadAllBytes(s_outputCopy);
        need = FindMissingVersionNeed(elf);
        elf[need.FlagsOffset] &= unchecked((byte)~ElfVersionNeed.WeakFlag);
        need = FindMissingVersionNeed(elf);
        Assert.False(need.IsWeak);
        return elf;
    }

    private static ElfVersionNeed FindMissingVersionNeed(byte[] elf) =>
        Assert.Single(ElfVersionSections.ReadVersionNeeds(elf),
            n => n.File == LibTorchSharpLoading.StandardLibrary && n.Name == LibTorchSharpLoading.MissingVersion);

    /// <summary>The System V ABI's ELF hash (the gABI's elf_hash), which vna_hash holds.</summary>
    private static uint SystemVElfHash(string name)
    {
        uint hash = 0;
        foreach (char c in name)
        {
            hash = (hash << 4) + c;
            uint high = hash & 0xF0000000;
            if (high != 0) hash ^= high >> 24;
            hash &= ~high;
        }

        return hash;
    }
}
