namespace Rnn.Fast.Cli.Demo;

/// <summary>Which engine <c>rnn demo</c> trains with (<c>--engine</c>).</summary>
public enum DemoEngine
{
    /// <summary>The fast engine, float32 on the SIMD kernels (the default).</summary>
    Fast = 0,

    /// <summary>The naive reference, double precision.</summary>
    Reference = 1,
}
