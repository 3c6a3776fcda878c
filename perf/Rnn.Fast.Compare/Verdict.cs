namespace Rnn.Fast.Compare;

/// <summary>How a benchmark in the new run stands against the baseline.</summary>
public enum Verdict
{
    /// <summary>No change beyond the threshold that the samples can show.</summary>
    Same,

    /// <summary>Faster than the baseline by more than the threshold, significantly.</summary>
    Faster,

    /// <summary>Slower than the baseline by more than the threshold, significantly: a regression.</summary>
    Slower,

    /// <summary>Allocates more per operation than the baseline (including any allocation where it had none): a regression.</summary>
    AllocatesMore,

    /// <summary>In the baseline, absent from the new run: a failure unless missing benchmarks are allowed.</summary>
    Missing,

    /// <summary>In the new run only.</summary>
    Added,

    /// <summary>In the new run without measurements (it threw, crashed or never ran): a failure unless missing benchmarks are allowed.</summary>
    Failed,
}
