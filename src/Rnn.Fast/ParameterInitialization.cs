namespace Rnn.Fast;

/// <summary>
/// Deterministic initialization of a float parameter buffer from a seed, the same for the reference and the fast
/// engine: every parameter uniform in <c>[−1/√h, 1/√h)</c>, as PyTorch's <c>nn.RNN</c> (all of Wxh, Whh, bh) and
/// <c>nn.Linear(h, o)</c> (Who and bo, whose fan-in is h) initialize theirs.
/// </summary>
/// <remarks>
/// The exact algorithm, so any implementation can reproduce the values bit for bit: a SplitMix64 generator
/// (Steele, Lea and Flood 2014) starts from state <c>seed</c>; for each parameter in buffer order
/// (Wxh, Whh, bh, Who, bo, each row-major) it draws one 64-bit word z, takes its top 24 bits as k,
/// forms <c>u = (2k − 2^24)/2^24</c> (exact, in [−1, 1)), and stores <c>(float)(u / √h)</c> with the quotient and
/// the square root computed in IEEE-754 double (both correctly rounded) and the conversion rounding to nearest.
/// SplitMix64 step: <c>state += 0x9E3779B97F4A7C15; z = state; z = (z ^ (z &gt;&gt; 30))·0xBF58476D1CE4E5B9;
/// z = (z ^ (z &gt;&gt; 27))·0x94D049BB133111EB; z ^= z &gt;&gt; 31</c>, modulo 2^64.
/// </remarks>
public static class ParameterInitialization
{
    /// <summary>Fills <paramref name="destination"/> with the parameters that <paramref name="seed"/> gives.</summary>
    /// <param name="shape">The network's sizes; h sets the range.</param>
    /// <param name="seed">Any 64-bit value; equal seeds give equal parameters.</param>
    /// <param name="destination">A parameter buffer of <see cref="RnnShape.ParameterCount"/> elements.</param>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length; it is left unchanged.</exception>
    public static void InitializeUniform(RnnShape shape, ulong seed, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (destination.Length != shape.ParameterCount)
        {
            throw new ArgumentException(
                $"A parameter buffer of shape {shape} must hold {shape.ParameterCount} elements, but holds {destination.Length}.",
                nameof(destination));
        }

        double sqrtHidden = Math.Sqrt(shape.HiddenSize);
        var generator = new SplitMix64(seed);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)(generator.NextSymmetricUnit() / sqrtHidden);
        }
    }

    /// <summary>A new parameter buffer filled as <see cref="InitializeUniform"/> does.</summary>
    /// <param name="shape">The network's sizes; h sets the range.</param>
    /// <param name="seed">Any 64-bit value; equal seeds give equal parameters.</param>
    /// <returns>An array of <see cref="RnnShape.ParameterCount"/> floats.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    public static float[] CreateUniform(RnnShape shape, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var parameters = new float[shape.ParameterCount];
        InitializeUniform(shape, seed, parameters);
        return parameters;
    }
}
