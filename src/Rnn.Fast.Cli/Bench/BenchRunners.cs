using Rnn.Fast.Reference;

namespace Rnn.Fast.Cli.Bench;

/// <summary>
/// The calls <c>rnn bench</c> times, on the data every Rnn.Fast benchmark uses at a config: parameters from
/// <see cref="ParameterInitialization"/> with seed 1, then inputs (T·n·d, time-major) and targets (n·o) uniform in
/// ±1 from <c>new Random(1)</c>, in that order. Each runner owns its buffers, made before timing starts.
/// </summary>
public sealed class BenchRunners : IDisposable
{
    /// <summary>The learning rate of the timed training steps: small, so hundreds of steps leave the model near its start.</summary>
    public const float LearningRate = 1e-3f;

    private readonly BenchConfig _config;
    private readonly RnnModel _model;
    private readonly RnnWorkspace _workspace;
    private readonly RnnStreamingSession _session;
    private readonly float[] _inputs;
    private readonly float[] _targets;
    private readonly float[] _outputs;
    private readonly double[] _referenceParameters;
    private readonly double[] _referenceInputs;
    private readonly double[] _referenceTargets;
    private readonly double[] _referenceHidden;

    /// <summary>Prepares the data and engines for <paramref name="config"/>.</summary>
    /// <param name="config">The shape.</param>
    public BenchRunners(BenchConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        RnnShape shape = config.Shape;
        float[] parameters = ParameterInitialization.CreateUniform(shape, 1);
        var random = new Random(1);
        _inputs = Uniform(random, config.SequenceLength * config.BatchSize * config.InputSize);
        _targets = Uniform(random, config.BatchSize * config.OutputSize);
        _outputs = new float[config.BatchSize * config.OutputSize];
        _model = new RnnModel(shape, parameters);
        _workspace = new RnnWorkspace(_model);
        _session = new RnnStreamingSession(_model, config.BatchSize);
        _referenceParameters = ReferenceRnn.Widen(parameters);
        _referenceInputs = ReferenceRnn.Widen(_inputs);
        _referenceTargets = ReferenceRnn.Widen(_targets);
        _referenceHidden = new double[config.BatchSize * config.HiddenSize];
    }

    /// <summary>The fast engine's call for <paramref name="workload"/>.</summary>
    /// <param name="workload">The workload.</param>
    public Action Fast(BenchWorkload workload)
    {
        BenchConfig c = _config;
        return workload switch
        {
            BenchWorkload.InferSequence => () => _workspace.Forward(_inputs, c.SequenceLength, c.BatchSize, OutputSteps.LastStep, _outputs),
            BenchWorkload.InferStep => () => _session.Step(_inputs.AsSpan(0, c.BatchSize * c.InputSize), _outputs),
            _ => () => _workspace.TrainStep(_inputs, c.SequenceLength, c.BatchSize, _targets, LossKind.LastOutputMeanSquaredError, LearningRate),
        };
    }

    /// <summary>The reference's call for <paramref name="workload"/> (double precision; a step is a forward pass of
    /// one time step from a given H_0, the reference having no streaming session).</summary>
    /// <param name="workload">The workload.</param>
    public Action Reference(BenchWorkload workload)
    {
        BenchConfig c = _config;
        RnnShape shape = c.Shape;
        return workload switch
        {
            BenchWorkload.InferSequence => () => ReferenceRnn.Forward(shape, _referenceParameters, _referenceInputs, c.SequenceLength, c.BatchSize),
            BenchWorkload.InferStep => () => ReferenceRnn.Forward(shape, _referenceParameters, _referenceInputs.AsSpan(0, c.BatchSize * c.InputSize), 1, c.BatchSize, _referenceHidden),
            _ => () => ReferenceRnn.TrainStep(shape, _referenceInputs, c.SequenceLength, c.BatchSize, _referenceTargets, LossKind.LastOutputMeanSquaredError,
                LearningRate, _referenceParameters),
        };
    }

    /// <summary>Returns the workspace's buffers.</summary>
    public void Dispose() => _workspace.Dispose();

    private static float[] Uniform(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(2 * random.NextDouble() - 1);
        return values;
    }
}
