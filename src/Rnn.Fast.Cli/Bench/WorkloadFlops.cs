namespace Rnn.Fast.Cli.Bench;

/// <summary>
/// The floating-point operations of each workload at a config: 2 per multiply-add of every matrix product it
/// performs, whoever runs it — the same counts as the benchmark suites use, so the figures compare. Element-wise work
/// (bias, tanh, its derivative, the loss, the update) is not counted: it is O(n·h) per step against O(n·h²).
/// </summary>
public static class WorkloadFlops
{
    /// <summary>The FLOPs of <paramref name="workload"/> at <paramref name="config"/>.</summary>
    /// <param name="workload">The workload.</param>
    /// <param name="config">The shape.</param>
    public static double Of(BenchWorkload workload, BenchConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        double n = config.BatchSize, d = config.InputSize, h = config.HiddenSize, o = config.OutputSize, T = config.SequenceLength;
        return workload switch
        {
            // Per step X_t·Wxh (n·d·h) and H_{t−1}·Whh (n·h·h); once O_T = H_T·Who (n·h·o).
            BenchWorkload.InferSequence => 2 * n * (T * (d * h + h * h) + h * o),
            // One step and its output.
            BenchWorkload.InferStep => 2 * n * (d * h + h * h + h * o),
            // The forward above, then dWho = H_Tᵀ·dO and dH_T = dO·Whoᵀ (n·h·o each); per step dWxh += X_tᵀ·dA_t
            // (n·d·h) and dWhh += H_{t−1}ᵀ·dA_t (n·h·h); for t = T..2, dH_{t−1} = dA_t·Whhᵀ (n·h·h).
            _ => 2 * n * (2 * T * d * h + (3 * T - 1) * h * h + 3 * h * o),
        };
    }
}
