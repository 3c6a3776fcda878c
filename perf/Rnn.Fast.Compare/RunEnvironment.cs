using System.Text.Json;

namespace Rnn.Fast.Compare;

/// <summary>
/// The machine and runtime that one or more reports were measured on, as BenchmarkDotNet records them: the fields of
/// its HostEnvironmentInfo that decide how fast the same code runs, and the instruction sets each benchmark's
/// process saw (HardwareIntrinsics, which DOTNET_EnableAVX512=0 and similar switches change). A field holds every
/// value its reports recorded, so a folder of reports from two machines shows both.
/// </summary>
public sealed class RunEnvironment
{
    /// <summary>The HostEnvironmentInfo fields compared, by BenchmarkDotNet's names.</summary>
    public static IReadOnlyList<string> HostFields { get; } =
    [
        "ProcessorName", "PhysicalProcessorCount", "PhysicalCoreCount", "LogicalCoreCount", "OsVersion", "Architecture",
        "RuntimeVersion", "HasRyuJit", "Configuration",
    ];

    /// <summary>The per-benchmark field compared: the instruction sets the benchmark's process could use.</summary>
    public const string HardwareIntrinsicsField = "HardwareIntrinsics";

    private readonly SortedDictionary<string, SortedSet<string>> _fields = new(StringComparer.Ordinal);

    /// <summary>Adds one recorded value of <paramref name="field"/>.</summary>
    public void Record(string field, string value)
    {
        if (!_fields.TryGetValue(field, out SortedSet<string>? values)) _fields[field] = values = new SortedSet<string>(StringComparer.Ordinal);
        values.Add(value);
    }

    /// <summary>Adds every value that <paramref name="other"/> recorded.</summary>
    public void RecordAll(RunEnvironment other)
    {
        foreach ((string field, SortedSet<string> values) in other._fields)
        {
            foreach (string value in values) Record(field, value);
        }
    }

    /// <summary>Records the compared fields of a report's HostEnvironmentInfo object.</summary>
    public void RecordHost(JsonElement hostEnvironmentInfo)
    {
        foreach (string field in HostFields)
        {
            if (hostEnvironmentInfo.TryGetProperty(field, out JsonElement value) && value.ValueKind != JsonValueKind.Null)
            {
                Record(field, value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : value.GetRawText());
            }
        }
    }

    /// <summary>
    /// The fields both environments recorded with different values (a field only one side recorded is unknown on the
    /// other, not different), in the order of <see cref="HostFields"/> then <see cref="HardwareIntrinsicsField"/>.
    /// </summary>
    public IReadOnlyList<EnvironmentDifference> DifferencesFrom(RunEnvironment baseline)
    {
        var differences = new List<EnvironmentDifference>();
        foreach (string field in HostFields.Append(HardwareIntrinsicsField))
        {
            if (baseline._fields.TryGetValue(field, out SortedSet<string>? before) && _fields.TryGetValue(field, out SortedSet<string>? after)
                && !before.SetEquals(after))
            {
                differences.Add(new EnvironmentDifference(field, [.. before], [.. after]));
            }
        }

        return differences;
    }
}
