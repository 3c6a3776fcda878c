namespace Rnn.Fast.Benchmarks;

/// <summary>
/// The floating-point operations of each standard workload (bench-configs.json) at a config: 2 per multiply-add of
/// every matrix product the workload performs, whoever runs it. Element-wise work (bias, tanh, its derivative, the
/// loss, the SGD update) is not counted: it is O(n·h) per step against O(n·h²) for the products. The counts are a
/// property of the workload, not of an engine, so every engine's GFLOP/s at a config are comparable; a product that
/// an engine can skip (H_0·Whh at t = 1 when H_0 = 0) is counted all the same.
/// </summary>
public static class WorkloadFlops
{
    /// <summary>
    /// infer-sequence: forward over T steps, output of the last step only.
    /// Per step X_t·Wxh (n·d·h) and H_{t−1}·Whh (n·h·h); once O_T = H_T·Who (n·h·o).
    /// Total 2·n·(T·(d·h + h·h) + h·o).
    /// </summary>
    public static double InferSequence(BenchmarkConfig c) =>
        2.0 * c.BatchSize * (c.SequenceLength * ((double)c.InputSize * c.HiddenSize + (double)c.HiddenSize * c.HiddenSize)
            + (double)c.HiddenSize * c.OutputSize);

    /// <summary>infer-step: one step with a carried hidden state and its output: 2·n·(d·h + h·h + h·o).</summary>
    public static double InferStep(BenchmarkConfig c) =>
        2.0 * c.BatchSize * ((double)c.InputSize * c.HiddenSize + (double)c.HiddenSize * c.HiddenSize + (double)c.HiddenSize * c.OutputSize);

    /// <summary>
    /// train-step: the forward of <see cref="InferSequence"/>, then BPTT for MSE on the last output: dWho = H_Tᵀ·dO
    /// and dH_T = dO·Whoᵀ (n·h·o each); per step dWxh += X_tᵀ·dA_t (n·d·h) and dWhh += H_{t−1}ᵀ·dA_t (n·h·h); for
    /// t = T..2, dH_{t−1} = dA_t·Whhᵀ (n·h·h). No dX and no dH_0: the inputs and H_0 are data, not parameters.
    /// Total 2·n·(2·T·d·h + (3·T − 1)·h·h + 3·h·o).
    /// </summary>
    public static double TrainStep(BenchmarkConfig c)
    {
        double n = c.BatchSize, d = c.InputSize, h = c.HiddenSize, o = c.OutputSize, T = c.SequenceLength;
        return 2 * n * (2 * T * d * h + (3 * T - 1) * h * h + 3 * h * o);
    }
}
