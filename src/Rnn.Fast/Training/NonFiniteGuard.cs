using Rnn.Fast.Kernels;

namespace Rnn.Fast;

/// <summary>The checks of <see cref="TrainingOptions.GuardNonFinite"/>: each throws <see cref="NonFiniteValueException"/> at the first NaN or infinity.</summary>
internal static class NonFiniteGuard
{
    /// <summary>Before the forward pass: the inputs, H_0 and the targets, in that order.</summary>
    public static void CheckArguments(RnnShape shape, ReadOnlySpan<float> inputs, int T, int n, ReadOnlySpan<float> initialHidden,
        ReadOnlySpan<float> targets, long step, InstructionSet path)
    {
        int d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize;
        int i = NonFiniteValues.IndexOfFirst(inputs, path);
        if (i >= 0)
        {
            int t = i / (n * d) + 1, r = i % (n * d);
            throw new NonFiniteValueException(TrainingTensor.Inputs, t, i, inputs[i], step, $"X_{t}[{r / d}, {r % d}]");
        }

        i = NonFiniteValues.IndexOfFirst(initialHidden, path);
        if (i >= 0) throw new NonFiniteValueException(TrainingTensor.InitialHidden, null, i, initialHidden[i], step, $"H_0[{i / h}, {i % h}]");

        i = NonFiniteValues.IndexOfFirst(targets, path);
        if (i >= 0)
        {
            // n·o targets are the last step's (for T = 1 that is also "every step"); T·n·o are time-major.
            int t = targets.Length == n * o ? T : i / (n * o) + 1, r = i % (n * o);
            throw new NonFiniteValueException(TrainingTensor.Targets, t, i, targets[i], step, $"Y_{t}[{r / o}, {r % o}]");
        }
    }

    /// <summary>
    /// After BPTT: when the loss is not finite, the culprit among the parameters, the compared outputs (dense rows of
    /// the last step, or time-major for every step) and the loss itself; then every parameter gradient.
    /// </summary>
    public static void CheckResults(RnnShape shape, float loss, ReadOnlySpan<float> parameters, ReadOnlySpan<float> outputs, int T, int n,
        ReadOnlySpan<float> gradients, long step, InstructionSet path)
    {
        int o = shape.OutputSize;
        if (!float.IsFinite(loss))
        {
            int p = NonFiniteValues.IndexOfFirst(parameters, path);
            if (p >= 0) throw new NonFiniteValueException(TrainingTensor.Parameters, null, p, parameters[p], step, ParameterName(shape, p, ""));

            int i = NonFiniteValues.IndexOfFirst(outputs, path);
            if (i >= 0)
            {
                int t = outputs.Length == n * o ? T : i / (n * o) + 1, r = i % (n * o);
                throw new NonFiniteValueException(TrainingTensor.Outputs, t, i, outputs[i], step, $"O_{t}[{r / o}, {r % o}]");
            }

            throw new NonFiniteValueException(TrainingTensor.Loss, null, 0, loss, step, "L (the sum of squared errors overflowed)");
        }

        int g = NonFiniteValues.IndexOfFirst(gradients, path);
        if (g >= 0) throw new NonFiniteValueException(TrainingTensor.Gradients, null, g, gradients[g], step, ParameterName(shape, g, "∂L/∂"));
    }

    /// <summary>
    /// Before the update is applied: the parameters it would produce, evaluated as the update computes them and stored
    /// nowhere, so a finite learning rate too large for finite gradients (p − 1e30·g overflowing) is refused too.
    /// </summary>
    public static void CheckUpdate<TUpdate>(RnnShape shape, ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients, TUpdate update,
        long step, InstructionSet path)
        where TUpdate : struct, IParameterUpdate
    {
        int i = update.IndexOfFirstNonFiniteResult(parameters, gradients, path);
        if (i >= 0)
        {
            string? state = update.StateAt(parameters, gradients, i);
            throw new NonFiniteValueException(state is null ? TrainingTensor.UpdatedParameters : TrainingTensor.UpdatedOptimizerState, null, i,
                update.ResultAt(parameters, gradients, i), step, state is null ? ParameterName(shape, i, "") : $"{state} of {ParameterName(shape, i, "")}");
        }
    }

    /// <summary>The parameter at <paramref name="index"/> of <see cref="RnnShape"/>'s layout, e.g. "Whh[2, 7]" or "bo[1]".</summary>
    internal static string ParameterName(RnnShape shape, int index, string prefix)
    {
        int h = shape.HiddenSize, o = shape.OutputSize;
        if (index < shape.WhhOffset) return $"{prefix}Wxh[{index / h}, {index % h}]";
        if (index < shape.BhOffset) return $"{prefix}Whh[{(index - shape.WhhOffset) / h}, {(index - shape.WhhOffset) % h}]";
        if (index < shape.WhoOffset) return $"{prefix}bh[{index - shape.BhOffset}]";
        if (index < shape.BoOffset) return $"{prefix}Who[{(index - shape.WhoOffset) / o}, {(index - shape.WhoOffset) % o}]";
        return $"{prefix}bo[{index - shape.BoOffset}]";
    }
}
