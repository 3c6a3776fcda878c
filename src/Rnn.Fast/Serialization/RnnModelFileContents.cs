namespace Rnn.Fast;

/// <summary>
/// Everything a model file holds, as <see cref="RnnModelFile.LoadContents(string)"/> read and verified it: the model,
/// the format version, the checksum, and (version 2) the sections in file order, with the metadata section decoded.
/// A version-1 file has no sections. Saving <see cref="Model"/> with <see cref="Sections"/> through
/// <see cref="RnnModelFile.Save(RnnModel, Stream, IEnumerable{ModelFileSection})"/> writes a version-2 file that is,
/// byte for byte, the one that was loaded (when that file was version 2).
/// </summary>
public sealed class RnnModelFileContents
{
    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();

    internal RnnModelFileContents(RnnModel model, int formatVersion, IReadOnlyList<ModelFileSection> sections, uint checksum)
    {
        Model = model;
        FormatVersion = formatVersion;
        Sections = sections;
        Checksum = checksum;
        ModelFileSection? metadata = Find(ModelFileSectionNames.Metadata);
        Metadata = metadata is null ? NoMetadata : metadata.GetStringMap().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        TrainingState = TrainingStateSections.Read(sections, model.Shape);
    }

    /// <summary>
    /// The optimizer state saved with the model (the <see cref="ModelFileSectionNames.OptimizerKind"/> sections, from
    /// <see cref="Rnn.Fast.TrainingState.ToSections"/>), checked against the model's shape; null when the file holds none.
    /// Give it to <see cref="RnnWorkspace.RestoreTrainingState"/> to resume training.
    /// </summary>
    public TrainingState? TrainingState { get; }

    /// <summary>The model: its shape and parameters, bit for bit as saved.</summary>
    public RnnModel Model { get; }

    /// <summary>The file's format version: 1 or 2.</summary>
    public int FormatVersion { get; }

    /// <summary>The CRC-32 the file ends with, which load checked against every byte before it.</summary>
    public uint Checksum { get; }

    /// <summary>The sections, in file order (none for a version-1 file).</summary>
    public IReadOnlyList<ModelFileSection> Sections { get; }

    /// <summary>The pairs of the <see cref="ModelFileSectionNames.Metadata"/> section, or none when the file has no such section.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The section called <paramref name="name"/>, or null.</summary>
    /// <param name="name">The section's name.</param>
    public ModelFileSection? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (ModelFileSection section in Sections)
        {
            if (section.Name == name) return section;
        }

        return null;
    }
}
