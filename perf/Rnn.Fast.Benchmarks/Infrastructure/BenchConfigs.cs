using System.Reflection;
using System.Text.Json;

namespace Rnn.Fast.Benchmarks.Infrastructure;

/// <summary>One standard shape from perf/bench-configs.json (a copy of the team's shared file, embedded).</summary>
public sealed record BenchConfig(string Name, int N, int D, int H, int O, int T)
{
    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>The standard benchmark shapes every suite uses.</summary>
public static class BenchConfigs
{
    private static readonly Lazy<IReadOnlyList<BenchConfig>> s_all = new(Load);

    /// <summary>Every config, in file order.</summary>
    public static IReadOnlyList<BenchConfig> All => s_all.Value;

    /// <summary>The config named <paramref name="name"/>.</summary>
    public static BenchConfig Named(string name) => All.Single(c => c.Name == name);

    private static IReadOnlyList<BenchConfig> Load()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("bench-configs.json")
            ?? throw new InvalidOperationException("bench-configs.json is not embedded.");
        using JsonDocument document = JsonDocument.Parse(stream);
        return [.. document.RootElement.GetProperty("configs").EnumerateArray().Select(c => new BenchConfig(
            c.GetProperty("name").GetString()!, c.GetProperty("n").GetInt32(), c.GetProperty("d").GetInt32(),
            c.GetProperty("h").GetInt32(), c.GetProperty("o").GetInt32(), c.GetProperty("T").GetInt32()))];
    }
}
