namespace Rnn.Fast.Cli.Train;

/// <summary>
/// The order in which an epoch visits the training windows: a Fisher–Yates shuffle driven by SplitMix64 (Steele, Lea
/// and Flood 2014) from the run's seed, so the same seed visits the same windows in the same order on every machine
/// and .NET version. The generator continues from epoch to epoch.
/// </summary>
/// <param name="seed">The run's seed (mixed with a constant, so the order and the initial parameters do not draw
/// the same numbers).</param>
public sealed class WindowShuffle(ulong seed)
{
    private ulong _state = seed ^ 0x5348_5546_464C_4531; // "SHUFFLE1"

    /// <summary>Shuffles <paramref name="items"/> in place.</summary>
    /// <param name="items">The window indices.</param>
    public void Shuffle(Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            // A uniform index in [0, i]: the high 64 bits of a 64×64-bit product (Lemire's method, without its
            // rejection step: the bias is below 2⁻³² for any i a window count reaches, and it is deterministic).
            int j = (int)Math.BigMul(NextWord(), (ulong)(i + 1), out _);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private ulong NextWord()
    {
        ulong z = _state += 0x9E37_79B9_7F4A_7C15;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB;
        return z ^ (z >> 31);
    }
}
