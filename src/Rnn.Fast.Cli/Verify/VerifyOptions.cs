using System.Globalization;

namespace Rnn.Fast.Cli.Verify;

/// <summary>
/// The options of <c>rnn verify</c>. Sizes left out are drawn from the seed in the ranges the engine's property tests
/// use (n 1..8, d 1..40, h 1..70, o 1..10, T 1..20).
/// </summary>
/// <param name="Seed">Seeds the drawn sizes, the parameters, the inputs, H_0 and the targets.</param>
/// <param name="BatchSize">n, or null to draw it.</param>
/// <param name="InputSize">d, or null to draw it.</param>
/// <param name="HiddenSize">h, or null to draw it.</param>
/// <param name="OutputSize">o, or null to draw it.</param>
/// <param name="SequenceLength">T, or null to draw it.</param>
/// <param name="Loss">The loss whose gradients are compared.</param>
public sealed record VerifyOptions(ulong Seed = 1, int? BatchSize = null, int? InputSize = null, int? HiddenSize = null,
    int? OutputSize = null, int? SequenceLength = null, LossKind Loss = LossKind.LastOutputMeanSquaredError)
{
    /// <summary>The largest n, d, h, o or T accepted.</summary>
    public const int MaxSize = 4096;

    /// <summary>
    /// The most multiply-adds one reference pass may take, T·n·(d·h + h·h + h·o): the double-precision reference
    /// runs about 10⁹ of them in a few seconds, and backward costs twice the forward pass.
    /// </summary>
    public const long MaxWork = 2_000_000_000;

    /// <summary>What <c>rnn verify --help</c> prints.</summary>
    public static string HelpText { get; } = string.Join(Environment.NewLine,
        "Usage: rnn verify [options]",
        "",
        "Runs the fast engine and the double-precision reference on the same random model and data and prints how",
        "far apart every output and gradient are (max absolute error, where, and relative to the tensor's scale).",
        "",
        "Options (sizes left out are drawn from the seed: n 1..8, d 1..40, h 1..70, o 1..10, T 1..20):",
        "  --seed N         seed of the sizes, parameters, inputs and targets (default 1)",
        $"  --batch N        n, sequences per batch, 1..{MaxSize}",
        $"  --input N        d, input width, 1..{MaxSize}",
        $"  --hidden N       h, hidden width, 1..{MaxSize}",
        $"  --output N       o, output width, 1..{MaxSize}",
        $"  --steps N        T, sequence length, 1..{MaxSize}",
        "  --loss NAME      last (MSE of the last output, the default) or all (MSE of every output)",
        "");

    /// <summary>Reads <c>--name value</c> (or <c>--name=value</c>) pairs.</summary>
    /// <param name="args">The arguments after <c>verify</c>.</param>
    /// <returns>The options.</returns>
    /// <exception cref="UsageException">An option is unknown, lacks a value, or its value is malformed or out of range.</exception>
    public static VerifyOptions Parse(IReadOnlyList<string> args)
    {
        var options = new VerifyOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            string? value = null;
            int equals = name.IndexOf('=', StringComparison.Ordinal);
            if (name.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }

            if (name is not ("--seed" or "--batch" or "--input" or "--hidden" or "--output" or "--steps" or "--loss"))
            {
                throw new UsageException($"unknown option '{args[i]}' for verify; run 'rnn verify --help' to list the options");
            }

            if (value is null)
            {
                if (i + 1 >= args.Count) throw new UsageException($"{name} needs a value");
                value = args[++i];
            }

            options = name switch
            {
                "--seed" => options with { Seed = ParseSeed(value) },
                "--batch" => options with { BatchSize = ParseSize(name, value) },
                "--input" => options with { InputSize = ParseSize(name, value) },
                "--hidden" => options with { HiddenSize = ParseSize(name, value) },
                "--output" => options with { OutputSize = ParseSize(name, value) },
                "--steps" => options with { SequenceLength = ParseSize(name, value) },
                _ => options with { Loss = ParseLoss(value) },
            };
        }

        return options;
    }

    private static ulong ParseSeed(string value) =>
        ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed)
            ? seed
            : throw new UsageException($"--seed must be a whole number from 0 to {ulong.MaxValue}, not '{value}'");

    private static int ParseSize(string name, string value) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int number) && number >= 1 && number <= MaxSize
            ? number
            : throw new UsageException($"{name} must be a whole number from 1 to {MaxSize}, not '{value}'");

    private static LossKind ParseLoss(string value) => value switch
    {
        "last" => LossKind.LastOutputMeanSquaredError,
        "all" => LossKind.AllOutputsMeanSquaredError,
        _ => throw new UsageException($"--loss must be 'last' or 'all', not '{value}'"),
    };
}
