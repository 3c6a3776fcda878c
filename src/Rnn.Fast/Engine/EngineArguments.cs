namespace Rnn.Fast;

/// <summary>Argument checks of the engine's public entry points: each throws before anything is written.</summary>
internal static class EngineArguments
{
    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming <paramref name="name"/>, the expected and the actual length
    /// unless <paramref name="buffer"/> holds the product of <paramref name="factors"/> (or is empty, when
    /// <paramref name="emptyAllowed"/>). The message is built only on failure: a passing check allocates nothing.
    /// </summary>
    /// <param name="buffer">The caller's buffer.</param>
    /// <param name="name">The argument's name.</param>
    /// <param name="formula">The factors' names, e.g. "T·n·d".</param>
    /// <param name="factors">The factors' values, in the formula's order.</param>
    /// <param name="note">Appended to the explanation, e.g. " for LastStep"; a constant, so nothing is formatted.</param>
    /// <param name="emptyAllowed">Whether an empty buffer is accepted (meaning zeros, or "not wanted").</param>
    public static void RequireLength(ReadOnlySpan<float> buffer, string name, string formula, ReadOnlySpan<int> factors,
        string note = "", bool emptyAllowed = false)
    {
        long expected = 1;
        foreach (int factor in factors) expected *= factor;
        if (buffer.Length == expected || (emptyAllowed && buffer.IsEmpty)) return;
        string values = string.Join("·", factors.ToArray());
        string alternative = emptyAllowed ? ", or 0" : "";
        throw new ArgumentException($"{name} must hold {expected} values ({formula} = {values}{note}{alternative}), but holds {buffer.Length}.", name);
    }

    /// <summary>Throws unless <paramref name="buffer"/> holds <see cref="RnnShape.ParameterCount"/> values; allocates nothing when it does.</summary>
    public static void RequireParameterLength(ReadOnlySpan<float> buffer, RnnShape shape, string name)
    {
        if (buffer.Length == shape.ParameterCount) return;
        throw new ArgumentException(
            $"{name} must hold {shape.ParameterCount} values (the parameter count of {shape}), but holds {buffer.Length}.", name);
    }

    public static void RequireLearningRate(float learningRate)
    {
        if (!float.IsFinite(learningRate) || learningRate < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate,
                "The learning rate must be finite and at least 0.");
        }
    }

    /// <summary>T and n at least 1, and every buffer of (T+1)·n rows of <paramref name="widestRow"/> floats fits in one array.</summary>
    public static void RequireSequence(int sequenceLength, int batchSize, int widestRow)
    {
        // H holds H_0..H_T: (T+1)·n rows at the padded stride, the largest buffer a call needs.
        RnnShape.StateElementCount(sequenceLength, batchSize, widestRow);
    }

    /// <summary>A destination written by a call must not overlap what the call reads.</summary>
    public static void RequireDisjoint(ReadOnlySpan<float> input, string inputName, ReadOnlySpan<float> destination, string destinationName)
    {
        if (input.Overlaps(destination))
        {
            throw new ArgumentException($"{destinationName} must not overlap {inputName}: the call reads {inputName} while it writes {destinationName}.", destinationName);
        }
    }
}
