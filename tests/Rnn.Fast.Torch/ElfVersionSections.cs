using System.Buffers.Binary;
using System.Text;

namespace Rnn.Fast.Torch;

/// <summary>
/// Reads and edits the symbol-versioning sections of an ELF64 little-endian shared object held in memory: the
/// versions it requires (<c>.gnu.version_r</c>, SHT_GNU_verneed) and the versions it defines
/// (<c>.gnu.version_d</c>, SHT_GNU_verdef). Only what loading libLibTorchSharp.so on an older libstdc++ needs.
/// </summary>
/// <remarks>
/// Layouts (System V gABI and the LSB's symbol versioning): the ELF header gives e_shoff (offset 0x28, 8 bytes),
/// e_shentsize (0x3A), e_shnum (0x3C); a section header gives sh_type (+0x04), sh_offset (+0x18), sh_size (+0x20),
/// sh_link (+0x28, the string table), sh_info (+0x2C, the number of entries). Verneed (16 bytes): vn_version,
/// vn_cnt (+2), vn_file (+4), vn_aux (+8), vn_next (+12). Vernaux (16 bytes): vna_hash, vna_flags (+4), vna_other
/// (+6), vna_name (+8), vna_next (+12). Verdef (20 bytes): vd_version, vd_flags, vd_ndx, vd_cnt (+6), vd_hash,
/// vd_aux (+12), vd_next (+16). Verdaux (8 bytes): vda_name, vda_next (+4). Every offset is checked against the
/// buffer: a malformed file gives <see cref="InvalidDataException"/>, never an out-of-range read or write.
/// </remarks>
public static class ElfVersionSections
{
    private const uint SectionTypeVersionDefinitions = 0x6ffffffd;
    private const uint SectionTypeVersionNeeds = 0x6ffffffe;
    private const int SectionHeaderSize = 64;

    /// <summary>Every version the object requires, in file order.</summary>
    /// <param name="elf">The whole file.</param>
    /// <returns>The entries; empty when the object has no <c>.gnu.version_r</c> section.</returns>
    /// <exception cref="InvalidDataException">Not an ELF64 little-endian file, or a malformed version section.</exception>
    public static IReadOnlyList<ElfVersionNeed> ReadVersionNeeds(ReadOnlySpan<byte> elf)
    {
        var needs = new List<ElfVersionNeed>();
        if (!TryFindSection(elf, SectionTypeVersionNeeds, out Section section)) return needs;
        ReadOnlySpan<byte> strings = StringTable(elf, section.Link);
        long need = section.Offset;
        for (uint i = 0; i < section.Info; i++)
        {
            ushort count = U16(elf, need + 2);
            string file = NameAt(strings, U32(elf, need + 4));
            long aux = need + U32(elf, need + 8);
            for (int j = 0; j < count; j++)
            {
                needs.Add(new ElfVersionNeed(file, NameAt(strings, U32(elf, aux + 8)), U32(elf, aux), U16(elf, aux + 4),
                    checked((int)(aux + 4))));
                aux += U32(elf, aux + 12);
            }

            need += U32(elf, need + 12);
        }

        return needs;
    }

    /// <summary>Every version name the object defines (for libstdc++: GLIBCXX_3.4, …, CXXABI_1.3, …).</summary>
    /// <param name="elf">The whole file.</param>
    /// <returns>The names, the object's own soname first; empty when it has no <c>.gnu.version_d</c> section.</returns>
    /// <exception cref="InvalidDataException">Not an ELF64 little-endian file, or a malformed version section.</exception>
    public static IReadOnlyList<string> ReadVersionDefinitions(ReadOnlySpan<byte> elf)
    {
        var names = new List<string>();
        if (!TryFindSection(elf, SectionTypeVersionDefinitions, out Section section)) return names;
        ReadOnlySpan<byte> strings = StringTable(elf, section.Link);
        long definition = section.Offset;
        for (uint i = 0; i < section.Info; i++)
        {
            // The first Verdaux names the version itself; further ones name its predecessors.
            if (U16(elf, definition + 6) > 0) names.Add(NameAt(strings, U32(elf, definition + U32(elf, definition + 12))));
            definition += U32(elf, definition + 16);
        }

        return names;
    }

    /// <summary>
    /// Sets VER_FLG_WEAK on the requirement of <paramref name="version"/> from <paramref name="file"/>, so that the
    /// dynamic loader accepts a library that lacks that version. Changes those two bytes and nothing else.
    /// </summary>
    /// <param name="elf">The whole file, edited in place.</param>
    /// <param name="file">The library, e.g. <c>libstdc++.so.6</c>.</param>
    /// <param name="version">The version, e.g. <c>GLIBCXX_3.4.32</c>.</param>
    /// <returns>True when the flag was set now; false when it was already set (nothing written).</returns>
    /// <exception cref="InvalidDataException">Not an ELF64 little-endian file, or a malformed version section.</exception>
    /// <exception cref="ArgumentException">The object does not require <paramref name="version"/> of <paramref name="file"/>.</exception>
    public static bool MarkVersionNeedWeak(Span<byte> elf, string file, string version)
    {
        ElfVersionNeed need = ReadVersionNeeds(elf).FirstOrDefault(n => n.File == file && n.Name == version)
            ?? throw new ArgumentException($"The object does not require version {version} of {file}.", nameof(version));
        if (need.IsWeak) return false;
        BinaryPrimitives.WriteUInt16LittleEndian(elf.Slice(need.FlagsOffset, 2), (ushort)(need.Flags | ElfVersionNeed.WeakFlag));
        return true;
    }

    private readonly record struct Section(long Offset, long Size, uint Link, uint Info);

    private static bool TryFindSection(ReadOnlySpan<byte> elf, uint type, out Section section)
    {
        RequireElf64LittleEndian(elf);
        long tableOffset = checked((long)U64(elf, 0x28));
        ushort entrySize = U16(elf, 0x3A);
        ushort count = U16(elf, 0x3C);
        if (count > 0 && entrySize < SectionHeaderSize) throw new InvalidDataException($"Section headers of {entrySize} bytes are too small for ELF64.");
        for (int i = 0; i < count; i++)
        {
            long header = tableOffset + (long)i * entrySize;
            if (U32(elf, header + 4) == type)
            {
                section = SectionAt(elf, header);
                return true;
            }
        }

        section = default;
        return false;
    }

    private static Section SectionAt(ReadOnlySpan<byte> elf, long header)
    {
        var section = new Section(checked((long)U64(elf, header + 0x18)), checked((long)U64(elf, header + 0x20)),
            U32(elf, header + 0x28), U32(elf, header + 0x2C));
        if (section.Offset < 0 || section.Size < 0 || section.Offset + section.Size > elf.Length)
        {
            throw new InvalidDataException($"A section at {section.Offset} of {section.Size} bytes lies outside the {elf.Length}-byte file.");
        }

        return section;
    }

    private static ReadOnlySpan<byte> StringTable(ReadOnlySpan<byte> elf, uint index)
    {
        long tableOffset = checked((long)U64(elf, 0x28));
        ushort entrySize = U16(elf, 0x3A);
        if (index >= U16(elf, 0x3C)) throw new InvalidDataException($"The string table index {index} is not a section.");
        Section strings = SectionAt(elf, tableOffset + index * entrySize);
        return elf.Slice((int)strings.Offset, (int)strings.Size);
    }

    private static void RequireElf64LittleEndian(ReadOnlySpan<byte> elf)
    {
        // e_ident: 0x7F 'E' 'L' 'F', EI_CLASS = 2 (64-bit), EI_DATA = 1 (little-endian).
        if (elf.Length < 64 || elf[0] != 0x7F || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("Not an ELF64 little-endian file.");
        }
    }

    private static string NameAt(ReadOnlySpan<byte> strings, uint offset)
    {
        if (offset >= strings.Length) throw new InvalidDataException($"A name at {offset} lies outside its {strings.Length}-byte string table.");
        ReadOnlySpan<byte> rest = strings[(int)offset..];
        int end = rest.IndexOf((byte)0);
        if (end < 0) throw new InvalidDataException($"The name at {offset} is not terminated.");
        return Encoding.ASCII.GetString(rest[..end]);
    }

    private static ushort U16(ReadOnlySpan<byte> elf, long offset) => BinaryPrimitives.ReadUInt16LittleEndian(Slice(elf, offset, 2));

    private static uint U32(ReadOnlySpan<byte> elf, long offset) => BinaryPrimitives.ReadUInt32LittleEndian(Slice(elf, offset, 4));

    private static ulong U64(ReadOnlySpan<byte> elf, long offset) => BinaryPrimitives.ReadUInt64LittleEndian(Slice(elf, offset, 8));

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> elf, long offset, int length)
    {
        if (offset < 0 || offset > elf.Length - length) throw new InvalidDataException($"Offset {offset} lies outside the {elf.Length}-byte file.");
        return elf.Slice((int)offset, length);
    }
}
