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
}
