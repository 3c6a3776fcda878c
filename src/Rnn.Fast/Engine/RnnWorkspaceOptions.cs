namespace Rnn.Fast;

/// <summary>
/// How an <see cref="RnnWorkspace"/> runs: for now, on how many threads its large products may run. Immutable; pass one
/// to <see cref="RnnWorkspace(RnnModel, RnnWorkspaceOptions)"/>.
/// </summary>
/// <example>
/// <code>
/// using var workspace = new RnnWorkspace(model, new RnnWorkspaceOptions { DegreeOfParallelism = Environment.ProcessorCount });
/// </code>
/// </example>
public sealed record RnnWorkspaceOptions
{
    private readonly int _degreeOfParallelism = 1;

    /// <summary>
    /// The most threads a workspace's products run on, the calling thread included: 1 (the default) runs everything on
    /// the calling thread. A value above <see cref="Environment.ProcessorCount"/> is lowered to it. Results are
    /// bit-identical for every value (see <see cref="RnnWorkspace.DegreeOfParallelism"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a value below 1.</exception>
    public int DegreeOfParallelism
    {
        get => _degreeOfParallelism;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(DegreeOfParallelism));
            _degreeOfParallelism = value;
        }
    }
}
