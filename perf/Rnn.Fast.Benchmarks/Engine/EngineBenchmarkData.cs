using Rnn.Fast.Reference;

namespace Rnn.Fast.Benchmarks.Engine;

/// <summary>
/// The model, data and engines one engine benchmark needs at one standard config: a seeded model (seed 1), inputs
/// and targets uniform in ±1 (seed 1), the fast engine's workspace and session, and the reference's double copies.
/// </summary>
public sealed class EngineBenchmarkData : IDisposable
{
    /// <summary>Builds everything for the config called <paramref name="name"/>; the fast engine is warmed up once.</summary>
    public EngineBenchmarkData(string name)
    {
        Config = BenchmarkConfig.Named(name);
        BenchmarkConfig c = Config;
        Shape = c.Shape;
        Model = new RnnModel(Shape, 1UL);
        Workspace = new RnnWorkspace(Model);
        Session = new RnnStreamingSession(Model, c.BatchSize);
        var random = new Random(1);
        Inputs = Uniform(random, c.Rows * c.InputSize);
        Targets = Uniform(random, c.BatchSize * c.OutputSize);
        Outputs = new float[c.BatchSize * c.OutputSize];
        ReferenceParameters = ReferenceRnn.Widen(Model.Parameters);
        ReferenceInputs = ReferenceRnn.Widen(Inputs);
        ReferenceTargets = ReferenceRnn.Widen(Targets);
        ReferenceHidden = new double[c.BatchSize * c.HiddenSize];
    }

    /// <summary>The standard shape.</summary>
    public BenchmarkConfig Config { get; }

    /// <summary>d, h, o.</summary>
    public RnnShape Shape { get; }

    /// <summary>The fast engine's model.</summary>
    public RnnModel Model { get; }

    /// <summary>The fast engine's workspace.</summary>
    public RnnWorkspace Workspace { get; }

    /// <summary>The fast engine's streaming session (n streams).</summary>
    public RnnStreamingSession Session { get; }

    /// <summary>X, T·n·d values.</summary>
    public float[] Inputs { get; }

    /// <summary>The last step's targets, n·o values.</summary>
    public float[] Targets { get; }

    /// <summary>The destination of the last outputs, n·o values.</summary>
    public float[] Outputs { get; }

    /// <summary>The reference's parameters (trained in place by its train-step).</summary>
    public double[] ReferenceParameters { get; }

    /// <summary>X in double.</summary>
    public double[] ReferenceInputs { get; }

    /// <summary>The targets in double.</summary>
    public double[] ReferenceTargets { get; }

    /// <summary>The reference's carried hidden state for infer-step, n·h values.</summary>
    public double[] ReferenceHidden { get; }

    /// <summary>Returns the workspace's buffers.</summary>
    public void Dispose() => Workspace.Dispose();

    private static float[] Uniform(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
