namespace Rnn.Fast.Benchmarks.Infrastructure;

/// <summary>A benchmark class that knows how many floating-point operations one invocation of a method performs.</summary>
public interface IFlopCount
{
    /// <summary>The operations (a fused multiply-add counts 2) of one call of <paramref name="benchmarkMethod"/>
    /// with the current parameter values; 0 when the method is not counted.</summary>
    double FlopsPerInvoke(string benchmarkMethod);
}
