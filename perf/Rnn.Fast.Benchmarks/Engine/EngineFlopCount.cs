namespace Rnn.Fast.Benchmarks.Engine;

/// <summary>
/// Floating-point operations of each engine workload: 2 per multiply-add of every matrix product the fast engine
/// runs (the same count is used for the reference, which does the same products in plain loops). Bias additions,
/// tanh, its gradient, the loss and the SGD update are O(T·n·h + parameters) and are not counted.
/// </summary>
public static class EngineFlopCount
{
    /// <summary>
    /// infer-sequence: X_all·Wxh (T·n·d·h) + H_{t−1}·Whh for every step (T·n·h·h) + the last step's H_T·Who (n·h·o).
    /// </summary>
    public static double InferSequence(BenchmarkConfig c) =>
        2.0 * c.Rows * ((double)c.InputSize * c.HiddenSize + (double)c.HiddenSize * c.HiddenSize) + 2.0 * c.BatchSize * c.HiddenSize * c.OutputSize;

    /// <summary>infer-step: one step for n streams, x·Wxh + h·Whh + h·Who: n·(d·h + h·h + h·o).</summary>
    public static double InferStep(BenchmarkConfig c) =>
        2.0 * c.BatchSize * ((double)c.InputSize * c.HiddenSize + (double)c.HiddenSize * c.HiddenSize + (double)c.HiddenSize * c.OutputSize);

    /// <summary>
    /// train-step with the last output's loss: the forward pass (<see cref="InferSequence"/>); then dWho = H_Tᵀ·dO
    /// (n·h·o), dH_T = dO·Whoᵀ (n·o·h), dA_{t+1}·Whhᵀ for t = T−1..1 ((T−1)·n·h·h), dWhh = Hᵀ·dA (T·n·h·h) and
    /// dWxh = Xᵀ·dA (T·n·d·h). dX and dH_0 are not computed by a training step.
    /// </summary>
    public static double TrainStep(BenchmarkConfig c)
    {
        double n = c.BatchSize, d = c.InputSize, h = c.HiddenSize, o = c.OutputSize, T = c.SequenceLength;
        double backward = 2 * n * h * o + 2 * n * o * h + 2 * (T - 1) * n * h * h + 2 * T * n * h * h + 2 * T * n * d * h;
        return InferSequence(c) + backward;
    }
}
