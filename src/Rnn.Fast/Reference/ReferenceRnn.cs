namespace Rnn.Fast.Reference;

/// <summary>
/// The naive reference Elman network: plain loops in double, written to be read against the maths, and the oracle
/// every fast kernel is checked against. It uses nothing from <c>Rnn.Fast.Kernels</c>.
/// </summary>
/// <remarks>
/// <para>Model, row-major and time-major (<c>[T][n][d]</c> inputs):
/// <c>H_t = tanh(X_t·Wxh + H_{t−1}·Whh + bh)</c> for t = 1..T, and <c>O_t = H_t·Who + bo</c>.</para>
/// <para>The reference allocates its results (<see cref="ReferenceForwardPass"/>, <see cref="ReferenceGradients"/>);
/// only the update methods write to a caller's buffer. Every method checks every length before it computes or writes
/// anything: an <see cref="ArgumentException"/> names the argument and gives the expected and the actual length (or,
/// for an update whose parameters partly overlap its gradients, how far apart they are),
/// and leaves every buffer as it was. Float parameters (the model's type) enter through <see cref="Widen"/>.</para>
/// <para>All methods are thread-safe: they keep no state.</para>
/// </remarks>
public static class ReferenceRnn
{
    /// <summary>Runs the network over a time-major batch of sequences and keeps every hidden state and output.</summary>
    /// <param name="shape">The network's sizes d, h, o.</param>
    /// <param name="parameters">Wxh, Whh, bh, Who, bo in <see cref="RnnShape"/>'s layout (<see cref="RnnShape.ParameterCount"/> values).</param>
    /// <param name="inputs">X_1..X_T, T·n·d values, time-major: X_t[b, i] is at ((t−1)·n + b)·d + i.</param>
    /// <param name="sequenceLength">T, at least 1.</param>
    /// <param name="batchSize">n, at least 1.</param>
    /// <param name="initialHidden">H_0, n·h values; empty means zeros.</param>
    /// <returns>H_0..H_T and O_1..O_T, with copies of the parameters and inputs for <see cref="Backward"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">T or n is below 1, or T·n·d exceeds the largest array.</exception>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    public static ReferenceForwardPass Forward(RnnShape shape, ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs,
        int sequenceLength, int batchSize, ReadOnlySpan<double> initialHidden = default)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize;
        int T = sequenceLength, n = batchSize;
        int inputCount = RnnShape.SequenceElementCount(T, n, d);
        // (T+1)·n·h must fit too: H_0 is stored beside H_1..H_T.
        int hiddenCount = RnnShape.StateElementCount(T, n, h);
        int outputCount = RnnShape.SequenceElementCount(T, n, o);
        RequireLength(parameters, shape.ParameterCount, nameof(parameters), $"the parameter count of {shape}");
        RequireLength(inputs, inputCount, nameof(inputs), $"T·n·d = {T}·{n}·{d}");
        if (!initialHidden.IsEmpty)
        {
            RequireLength(initialHidden, n * h, nameof(initialHidden), $"n·h = {n}·{h}, or 0 for zeros");
        }

        double[] parameterCopy = parameters.ToArray();
        double[] inputCopy = inputs.ToArray();
        ReadOnlySpan<double> wxh = shape.Wxh<double>(parameterCopy.AsSpan());
        ReadOnlySpan<double> whh = shape.Whh<double>(parameterCopy.AsSpan());
        ReadOnlySpan<double> bh = shape.Bh<double>(parameterCopy.AsSpan());
        ReadOnlySpan<double> who = shape.Who<double>(parameterCopy.AsSpan());
        ReadOnlySpan<double> bo = shape.Bo<double>(parameterCopy.AsSpan());

        var hidden = new double[hiddenCount];
        var outputs = new double[outputCount];
        initialHidden.CopyTo(hidden); // Empty leaves H_0 = 0.

        for (int t = 1; t <= T; t++)
        {
            ReadOnlySpan<double> x = inputCopy.AsSpan((t - 1) * n * d, n * d);
            ReadOnlySpan<double> previous = hidden.AsSpan((t - 1) * n * h, n * h);
            Span<double> current = hidden.AsSpan(t * n * h, n * h);
            Span<double> output = outputs.AsSpan((t - 1) * n * o, n * o);
            for (int b = 0; b < n; b++)
            {
                // H_t[b, j] = tanh(Σ_i X_t[b, i]·Wxh[i, j] + Σ_k H_{t−1}[b, k]·Whh[k, j] + bh[j])
                for (int j = 0; j < h; j++)
                {
                    double a = bh[j];
                    for (int i = 0; i < d; i++) a += x[b * d + i] * wxh[i * h + j];
                    for (int k = 0; k < h; k++) a += previous[b * h + k] * whh[k * h + j];
                    current[b * h + j] = Math.Tanh(a);
                }

                // O_t[b, k] = Σ_j H_t[b, j]·Who[j, k] + bo[k]
                for (int k = 0; k < o; k++)
                {
                    double sum = bo[k];
                    for (int j = 0; j < h; j++) sum += current[b * h + j] * who[j * o + k];
                    output[b * o + k] = sum;
                }
            }
        }

        return new ReferenceForwardPass(shape, T, n, parameterCopy, inputCopy, hidden, outputs);
    }

    /// <summary>The loss of a forward pass against its targets, with the mean reduction <see cref="LossKind"/> documents.</summary>
    /// <param name="forward">The forward pass.</param>
    /// <param name="targets">n·o values (<see cref="LossKind.LastOutputMeanSquaredError"/>) or T·n·o values, time-major
    /// (<see cref="LossKind.AllOutputsMeanSquaredError"/>).</param>
    /// <param name="loss">Which loss.</param>
    /// <returns>L = (1/(n·o)) Σ (O_T − Y)², or L = (1/(T·n·o)) Σ_t Σ (O_t − Y_t)².</returns>
    /// <exception cref="ArgumentNullException"><paramref name="forward"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="targets"/> has the wrong length, or <paramref name="loss"/> is not a defined value.</exception>
    public static double Loss(ReferenceForwardPass forward, ReadOnlySpan<double> targets, LossKind loss)
    {
        ReadOnlySpan<double> predicted = ComparedOutputs(forward, targets, loss);
        double sum = 0;
        for (int i = 0; i < predicted.Length; i++)
        {
            double difference = predicted[i] - targets[i];
            sum += difference * difference;
        }

        return sum / predicted.Length;
    }

    /// <summary>
    /// Backpropagation through time: the gradients of <see cref="Loss"/> with respect to Wxh, Whh, bh, Who, bo,
    /// H_0 and X, at the parameters and inputs the forward pass ran with.
    /// </summary>
    /// <param name="forward">The forward pass.</param>
    /// <param name="targets">The targets, as for <see cref="Loss"/>.</param>
    /// <param name="loss">Which loss.</param>
    /// <returns>The gradients.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="forward"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="targets"/> has the wrong length, or <paramref name="loss"/> is not a defined value.</exception>
    public static ReferenceGradients Backward(ReferenceForwardPass forward, ReadOnlySpan<double> targets, LossKind loss)
    {
        ReadOnlySpan<double> compared = ComparedOutputs(forward, targets, loss);
        RnnShape shape = forward.Shape;
        int d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize;
        int T = forward.SequenceLength, n = forward.BatchSize;
        ReadOnlySpan<double> parameters = forward.Parameters;
        ReadOnlySpan<double> wxh = shape.Wxh(parameters);
        ReadOnlySpan<double> whh = shape.Whh(parameters);
        ReadOnlySpan<double> who = shape.Who(parameters);
        ReadOnlySpan<double> inputs = forward.Inputs;

        var parameterGradients = new double[shape.ParameterCount];
        var inputGradients = new double[inputs.Length];
        Span<double> dWxh = shape.Wxh<double>(parameterGradients);
        Span<double> dWhh = shape.Whh<double>(parameterGradients);
        Span<double> dBh = shape.Bh<double>(parameterGradients);
        Span<double> dWho = shape.Who<double>(parameterGradients);
        Span<double> dBo = shape.Bo<double>(parameterGradients);

        // ∂L/∂O = (2/N)·(O − Y) over the N compared values (LossKind's mean reduction).
        int firstLossStep = loss == LossKind.LastOutputMeanSquaredError ? T : 1;
        double scale = 2.0 / compared.Length;

        // dHFromLater[b, j] = Σ_i dA_{t+1}[b, i]·Whh[j, i]: what H_t receives through A_{t+1} = … + H_t·Whh.
        var dHFromLater = new double[n * h];
        var dH = new double[n * h];
        var dA = new double[n * h];
        for (int t = T; t >= 1; t--)
        {
            ReadOnlySpan<double> current = forward.HiddenState(t);
            ReadOnlySpan<double> previous = forward.HiddenState(t - 1);
            ReadOnlySpan<double> x = inputs.Slice((t - 1) * n * d, n * d);
            Span<double> dX = inputGradients.AsSpan((t - 1) * n * d, n * d);

            dHFromLater.CopyTo(dH);
            if (t >= firstLossStep)
            {
                ReadOnlySpan<double> output = forward.Output(t);
                ReadOnlySpan<double> target = loss == LossKind.LastOutputMeanSquaredError
                    ? targets
                    : targets.Slice((t - 1) * n * o, n * o);
                for (int b = 0; b < n; b++)
                {
                    for (int k = 0; k < o; k++)
                    {
                        double dO = scale * (output[b * o + k] - target[b * o + k]);
                        // O_t = H_t·Who + bo: dWho[j, k] += H_t[b, j]·dO[b, k], dbo[k] += dO[b, k], dH_t[b, j] += dO[b, k]·Who[j, k]
                        dBo[k] += dO;
                        for (int j = 0; j < h; j++)
                        {
                            dWho[j * o + k] += current[b * h + j] * dO;
                            dH[b * h + j] += dO * who[j * o + k];
                        }
                    }
                }
            }

            // H_t = tanh(A_t), and tanh'(A) = 1 − tanh(A)² = 1 − H_t²: dA_t = dH_t ⊙ (1 − H_t²).
            for (int i = 0; i < n * h; i++) dA[i] = dH[i] * (1 - current[i] * current[i]);

            // A_t = X_t·Wxh + H_{t−1}·Whh + bh.
            Array.Clear(dHFromLater);
            for (int b = 0; b < n; b++)
            {
                for (int j = 0; j < h; j++)
                {
                    double delta = dA[b * h + j];
                    dBh[j] += delta;
                    for (int i = 0; i < d; i++)
                    {
                        dWxh[i * h + j] += x[b * d + i] * delta;
                        dX[b * d + i] += delta * wxh[i * h + j];
                    }

                    for (int k = 0; k < h; k++)
                    {
                        dWhh[k * h + j] += previous[b * h + k] * delta;
                        dHFromLater[b * h + k] += delta * whh[k * h + j];
                    }
                }
            }
        }

        // After step 1, dHFromLater = dA_1·Whhᵀ = ∂L/∂H_0.
        return new ReferenceGradients(parameterGradients, dHFromLater, inputGradients);
    }

    /// <summary>One plain gradient-descent step over the flat parameter buffer: <c>p ← p − learningRate·g</c>.</summary>
    /// <param name="shape">The network's sizes; both buffers must hold <see cref="RnnShape.ParameterCount"/> values.</param>
    /// <param name="gradients">∂L/∂p, in <see cref="RnnShape"/>'s layout (e.g. <see cref="ReferenceGradients.Parameters"/>).</param>
    /// <param name="learningRate">The step size: finite and at least 0.</param>
    /// <param name="parameters">The parameters, updated in place. It may be the very same span as
    /// <paramref name="gradients"/> (each element reads its gradient before it is written), but must not otherwise
    /// overlap it: element i would read a gradient that an earlier element already overwrote.</param>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is negative, infinite or NaN.</exception>
    /// <exception cref="ArgumentException">A buffer has the wrong length, or <paramref name="parameters"/> overlaps
    /// <paramref name="gradients"/> without being the very same span; nothing is written.</exception>
    public static void ApplyGradientDescent(RnnShape shape, ReadOnlySpan<double> gradients, double learningRate, Span<double> parameters)
    {
        ArgumentNullException.ThrowIfNull(shape);
        RequireLearningRate(learningRate);
        RequireLength(gradients, shape.ParameterCount, nameof(gradients), $"the parameter count of {shape}");
        RequireLength(parameters, shape.ParameterCount, nameof(parameters), $"the parameter count of {shape}");
        if (gradients.Overlaps(parameters, out int offset) && offset != 0)
        {
            throw new ArgumentException(
                $"{nameof(parameters)} overlaps {nameof(gradients)} {Math.Abs(offset)} elements apart; it may be the very same span (in place) but must not otherwise overlap it.",
                nameof(parameters));
        }

        for (int i = 0; i < parameters.Length; i++) parameters[i] -= learningRate * gradients[i];
    }

    /// <summary>
    /// One training step: <see cref="Forward"/> from H_0 = 0, <see cref="Loss"/>, <see cref="Backward"/> and
    /// <see cref="ApplyGradientDescent"/>. Every argument is checked before the parameters change.
    /// </summary>
    /// <param name="shape">The network's sizes.</param>
    /// <param name="inputs">T·n·d values, time-major.</param>
    /// <param name="sequenceLength">T, at least 1.</param>
    /// <param name="batchSize">n, at least 1.</param>
    /// <param name="targets">The targets, as for <see cref="Loss"/>.</param>
    /// <param name="loss">Which loss.</param>
    /// <param name="learningRate">The step size: finite and at least 0.</param>
    /// <param name="parameters">The parameters, updated in place.</param>
    /// <returns>The loss at the parameters before the update.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">T or n is below 1, or <paramref name="learningRate"/> is negative, infinite or NaN.</exception>
    /// <exception cref="ArgumentException">A buffer has the wrong length, or <paramref name="loss"/> is not a defined value.</exception>
    public static double TrainStep(RnnShape shape, ReadOnlySpan<double> inputs, int sequenceLength, int batchSize,
        ReadOnlySpan<double> targets, LossKind loss, double learningRate, Span<double> parameters)
    {
        RequireLearningRate(learningRate);
        ReferenceForwardPass forward = Forward(shape, parameters, inputs, sequenceLength, batchSize);
        double value = Loss(forward, targets, loss); // Checks the targets and the loss kind.
        ReferenceGradients gradients = Backward(forward, targets, loss);
        ApplyGradientDescent(shape, gradients.Parameters, learningRate, parameters);
        return value;
    }

    /// <summary>Converts float values (the model's type) to doubles; exact, since every float is a double.</summary>
    /// <param name="values">The values, e.g. a parameter buffer from <see cref="ParameterInitialization"/>.</param>
    /// <returns>A new array with the same values.</returns>
    public static double[] Widen(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }

    /// <summary>Checks the targets against the loss and returns the outputs they are compared with.</summary>
    private static ReadOnlySpan<double> ComparedOutputs(ReferenceForwardPass forward, ReadOnlySpan<double> targets, LossKind loss)
    {
        ArgumentNullException.ThrowIfNull(forward);
        int n = forward.BatchSize, o = forward.Shape.OutputSize, T = forward.SequenceLength;
        switch (loss)
        {
            case LossKind.LastOutputMeanSquaredError:
                RequireLength(targets, n * o, nameof(targets), $"n·o = {n}·{o} for {loss}");
                return forward.LastOutput;
            case LossKind.AllOutputsMeanSquaredError:
                RequireLength(targets, T * n * o, nameof(targets), $"T·n·o = {T}·{n}·{o} for {loss}");
                return forward.Outputs;
            default:
                throw new ArgumentException($"{loss} is not a defined {nameof(LossKind)}.", nameof(loss));
        }
    }

    private static void RequireLength(ReadOnlySpan<double> buffer, int expected, string name, string why)
    {
        if (buffer.Length != expected)
        {
            throw new ArgumentException($"{name} must hold {expected} values ({why}), but holds {buffer.Length}.", name);
        }
    }

    private static void RequireLearningRate(double learningRate)
    {
        if (!double.IsFinite(learningRate) || learningRate < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate,
                "The learning rate must be finite and at least 0.");
        }
    }
}
