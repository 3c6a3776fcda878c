namespace Rnn.Fast.Cli.Bench;

/// <summary>The three standard workloads (perf/bench-configs.json).</summary>
public enum BenchWorkload
{
    /// <summary>Forward over T steps from H_0 = 0, output of the last step.</summary>
    InferSequence,

    /// <summary>One streaming step with a carried hidden state.</summary>
    InferStep,

    /// <summary>Forward, MSE of the last output, BPTT and an SGD update of every parameter.</summary>
    TrainStep,
}
