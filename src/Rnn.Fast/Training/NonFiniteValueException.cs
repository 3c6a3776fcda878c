namespace Rnn.Fast;

/// <summary>
/// A training step with <see cref="TrainingOptions.GuardNonFinite"/> found a NaN or an infinity and refused to
/// update the model: its parameters are bit-identical to what they were before the call.
/// </summary>
public sealed class NonFiniteValueException : ArithmeticException
{
    /// <summary>Creates the exception for a value found at <paramref name="index"/> of <paramref name="tensor"/>.</summary>
    /// <param name="tensor">Which tensor held the value.</param>
    /// <param name="timeStep">The time step t (1..T) the value belongs to, or null when the tensor is not per step.</param>
    /// <param name="index">The value's index in the tensor's flat buffer (for inputs and targets, the caller's span).</param>
    /// <param name="value">The value found: NaN, +∞ or −∞.</param>
    /// <param name="trainingStep">Which training step of the workspace found it: 1 + the steps that updated the model.</param>
    /// <param name="location">The element in words, e.g. "X_3[0, 5]" or "∂L/∂Whh[2, 7]".</param>
    public NonFiniteValueException(TrainingTensor tensor, int? timeStep, int index, float value, long trainingStep, string location)
        : base($"Training step {trainingStep}: {Describe(value)} in {tensor} at {location} (index {index}); the parameters were not updated.")
    {
        Tensor = tensor;
        TimeStep = timeStep;
        Index = index;
        Value = value;
        TrainingStep = trainingStep;
        Location = location;
    }

    /// <summary>Which tensor held the first non-finite value found (tensors are checked in the order of <see cref="TrainingTensor"/>).</summary>
    public TrainingTensor Tensor { get; }

    /// <summary>The time step t (1..T) of the value, for inputs, targets and outputs; null for the others.</summary>
    public int? TimeStep { get; }

    /// <summary>The index of the first non-finite value in the tensor's flat buffer.</summary>
    public int Index { get; }

    /// <summary>The value found: NaN, +∞ or −∞.</summary>
    public float Value { get; }

    /// <summary>
    /// The number the refused step would have had: 1 + the number of training steps of the workspace that updated the
    /// model (guarded or not). A refused step does not count, so retrying it reports the same number.
    /// </summary>
    public long TrainingStep { get; }

    /// <summary>The element in words, e.g. "X_3[0, 5]" (batch row 0, column 5 of X_3) or "∂L/∂Whh[2, 7]".</summary>
    public string Location { get; }

    private static string Describe(float value) => float.IsNaN(value) ? "NaN" : value > 0 ? "+∞" : "−∞";
}
