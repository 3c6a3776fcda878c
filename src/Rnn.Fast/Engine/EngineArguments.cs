namespace Rnn.Fast;

/// <summary>Argument checks of the engine's public entry points: each throws before anything is written.</summary>
internal static class EngineArguments
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="name"/>, the expected and the actual length.</summary>
    public static void RequireLength(ReadOnlySpan<float> buffer, int expected, string name, string why)
    {
        if (buffer.Length != expected)
        {
            throw new ArgumentException($"{name} must hold {expected} values ({why}), but holds {buffer.Length}.", name);
        }
    }

    /// <summary>As <see cref="RequireLength"/>, but an empty buffer is also accepted (meaning zeros, or "not wanted").</summary>
    public static void RequireLengthOrEmpty(ReadOnlySpan<float> buffer, int expected, string name, string why)
    {
        if (!buffer.IsEmpty) RequireLength(buffer, expected, name, why + ", or 0");
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
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (sequenceLength == int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, "The sequence is too long for the hidden-state buffer (T+1 steps).");
        }

        // H holds H_0..H_T: (T+1)·n rows at the padded stride, the largest buffer a call needs.
        RnnShape.SequenceElementCount(sequenceLength + 1, batchSize, widestRow);
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
