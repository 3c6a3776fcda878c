namespace Rnn.Fast.Torch;

/// <summary>
/// One version that an ELF shared object requires of a library it links against: an <c>Elf64_Vernaux</c> entry of
/// its <c>.gnu.version_r</c> section, with the name of the library from the enclosing <c>Elf64_Verneed</c>.
/// </summary>
/// <param name="File">The library the version is required of, e.g. <c>libstdc++.so.6</c>.</param>
/// <param name="Name">The version, e.g. <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="Hash">vna_hash: the System V ELF hash of <paramref name="Name"/>, as the file stores it.</param>
/// <param name="Flags">vna_flags: <see cref="WeakFlag"/> or 0.</param>
/// <param name="FlagsOffset">Where vna_flags (two bytes, little-endian) lies in the file.</param>
public sealed record ElfVersionNeed(string File, string Name, uint Hash, ushort Flags, int FlagsOffset)
{
    /// <summary>VER_FLG_WEAK: the dynamic loader does not fail when the library lacks this version.</summary>
    public const ushort WeakFlag = 0x2;

    /// <summary>Whether <see cref="Flags"/> has <see cref="WeakFlag"/>.</summary>
    public bool IsWeak => (Flags & WeakFlag) != 0;
}
