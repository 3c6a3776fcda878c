namespace Rnn.Fast;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014; the constants
/// are those of Vigna's public-domain reference, splitmix64.c). Ours, so that seeded values never depend on the
/// BCL's <see cref="Random"/> implementation.
/// </summary>
/// <remarks>
/// Each call adds the golden-ratio increment 0x9E3779B97F4A7C15 to the 64-bit state and returns the state passed
/// through the finalizer <c>z ^= z &gt;&gt; 30; z *= 0xBF58476D1CE4E5B9; z ^= z &gt;&gt; 27; z *= 0x94D049BB133111EB;
/// z ^= z &gt;&gt; 31</c> (all arithmetic modulo 2^64).
/// </remarks>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>The next 64 pseudorandom bits.</summary>
    public ulong NextUInt64()
    {
        _state = unchecked(_state + 0x9E3779B97F4A7C15UL);
        ulong z = _state;
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>
    /// The next value of the 2^24 equally spaced points k/2^23 − 1, k = 0..2^24−1, of [−1, 1): the top 24 bits
    /// of <see cref="NextUInt64"/> as k. Exact in float and double (a 24-bit significand at most).
    /// </summary>
    public double NextSymmetricUnit()
    {
        long k = (long)(NextUInt64() >> 40);
        return (2 * k - (1L << 24)) / 16777216.0;
    }
}
