using Rnn.Fast.Kernels;

namespace Rnn.Fast;

/// <summary>
/// An optimizer's update of the model's parameters from their gradients, as <see cref="TrainingStep"/> runs it. Every
/// optimizer implements both halves, so the non-finite guard covers the update itself, not only its inputs: with
/// <see cref="TrainingOptions.GuardNonFinite"/> on, the step first asks <see cref="IndexOfFirstNonFiniteResult"/> —
/// which evaluates exactly the values <see cref="Apply"/> would store and writes nothing — and throws
/// <see cref="NonFiniteValueException"/> (<see cref="TrainingTensor.UpdatedParameters"/>) instead of applying an update
/// that would put a NaN or an infinity into the model; the model stays bit-identical. With the guard off, the step
/// calls <see cref="Apply"/> alone, so the guard costs nothing then.
/// </summary>
/// <remarks>
/// For an optimizer with state (moments, step counts), "exactly the values" covers the state too: the check evaluates
/// the new state and the new parameters without storing either, and <see cref="Apply"/> stores both; neither may
/// change anything when the check fails. Implementations are structs, so the step calls them without dispatch or
/// allocation.
/// </remarks>
internal interface IParameterUpdate
{
    /// <summary>
    /// The index of the first parameter whose updated value would be NaN or infinite, or −1 when every one is finite;
    /// computed as <see cref="Apply"/> computes it, bit for bit, and written nowhere.
    /// </summary>
    int IndexOfFirstNonFiniteResult(ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients, InstructionSet path);

    /// <summary>
    /// The first non-finite value <see cref="Apply"/> would store for parameter <paramref name="index"/> (for the
    /// exception's message): the parameter's new value, or, when that is finite, the new value of its optimizer state.
    /// </summary>
    float ResultAt(ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients, int index);

    /// <summary>
    /// The name of the optimizer-state buffer (torch's, e.g. <c>exp_avg_sq</c>) whose new value for parameter
    /// <paramref name="index"/> is the non-finite one, or null when it is the parameter's own new value.
    /// </summary>
    string? StateAt(ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients, int index);

    /// <summary>
    /// Applies the update to the model's <paramref name="parameters"/>, in place. The training step has marked the model
    /// as being updated (so no reader can mistake a half-written update for a stable one) and rebuilds its packs after.
    /// </summary>
    void Apply(Span<float> parameters, ReadOnlySpan<float> gradients, InstructionSet path);

    /// <summary>
    /// Whether the update is plain gradient descent, p ← fma(g, −rate, p) with one rate per tensor, which a training
    /// step may then apply to each weight gradient as it computes it, never storing it; <paramref name="negatedRates"/>
    /// (indexed by <see cref="Interop.RnnParameter"/>) receives each tensor's −rate. A step that applies it so calls
    /// <see cref="CompletePlainDescent"/> instead of <see cref="Apply"/>.
    /// </summary>
    bool IsPlainDescent(Span<float> negatedRates);

    /// <summary>Ends an update the training step applied itself as plain descent (an optimizer state counts the step).</summary>
    void CompletePlainDescent();
}

/// <summary>Plain gradient descent, <c>p ← fma(g, −learningRate, p)</c>: the bits of <see cref="RnnModel.ApplyGradientDescent"/>.</summary>
internal readonly struct GradientDescentUpdate(float learningRate) : IParameterUpdate
{
    /// <inheritdoc/>
    public int IndexOfFirstNonFiniteResult(ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients, InstructionSet path) =>
        // The operator and operand order of VectorArithmetic.AddScaled(gradients, −learningRate, parameters), which the update runs.
        NonFiniteValues.IndexOfFirstNonFiniteResult(new MultiplyAddScalarOperator(-learningRate), gradients, parameters, path);

    /// <inheritdoc/>
    public float ResultAt(ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients, int index) =>
        new MultiplyAddScalarOperator(-learningRate).Invoke(gradients[index], parameters[index]);

    /// <inheritdoc/>
    public string? StateAt(ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients, int index) => null;

    /// <inheritdoc/>
    public void Apply(Span<float> parameters, ReadOnlySpan<float> gradients, InstructionSet path) =>
        VectorArithmetic.AddScaled(gradients, -learningRate, parameters, path);

    /// <inheritdoc/>
    public bool IsPlainDescent(Span<float> negatedRates)
    {
        negatedRates[..OptimizerState.TensorCount].Fill(-learningRate);
        return true;
    }

    /// <inheritdoc/>
    public void CompletePlainDescent()
    {
    }
}

/// <summary>
/// The update of the options' optimizer (<see cref="TrainingOptions.Optimizer"/>) through the workspace's
/// <see cref="Rnn.Fast.OptimizerState"/>, as planned by <see cref="OptimizerState.Prepare(TrainingOptions)"/>: the check
/// evaluates the new parameters and the new state and stores neither; <see cref="Apply"/> stores both and counts the step.
/// </summary>
internal readonly struct OptimizerUpdate(OptimizerState state) : IParameterUpdate
{
    /// <inheritdoc/>
    public int IndexOfFirstNonFiniteResult(ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients, InstructionSet path) =>
        state.IndexOfFirstNonFiniteResult(parameters, gradients, path);

    /// <inheritdoc/>
    public float ResultAt(ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients, int index) => state.ResultAt(parameters, gradients, index).Value;

    /// <inheritdoc/>
    public string? StateAt(ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients, int index) => state.ResultAt(parameters, gradients, index).State;

    /// <inheritdoc/>
    public void Apply(Span<float> parameters, ReadOnlySpan<float> gradients, InstructionSet path) => state.Apply(parameters, gradients, path);

    /// <inheritdoc/>
    public bool IsPlainDescent(Span<float> negatedRates) => state.IsPlainDescent(negatedRates);

    /// <inheritdoc/>
    public void CompletePlainDescent() => state.CountStep();
}
