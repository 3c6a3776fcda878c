namespace Rnn.Fast.Benchmarks;

/// <summary>
/// The parameters, inputs and targets every engine's benchmark at a config starts from, so all rows of a
/// comparison compute the same thing: parameters from <see cref="ParameterInitialization"/> with seed 1, then inputs
/// (T·n·d, time-major) and targets (n·o) uniform in ±1 from <c>new Random(1)</c>, drawn in that order — the same
/// draws as <see cref="ReferenceBenchmarks"/> makes (there in double; here rounded to float).
/// </summary>
public sealed class BenchmarkInputs
{
    private BenchmarkInputs(float[] parameters, float[] inputs, float[] targets)
    {
        Parameters = parameters;
        Inputs = inputs;
        Targets = targets;
    }

    /// <summary>The parameters in <see cref="RnnShape"/>'s layout.</summary>
    public float[] Parameters { get; }

    /// <summary>X_1..X_T, T·n·d values, time-major; X_1 (the first n·d) is the infer-step input.</summary>
    public float[] Inputs { get; }

    /// <summary>The targets of the last output, n·o values.</summary>
    public float[] Targets { get; }

    /// <summary>The values for <paramref name="config"/>.</summary>
    public static BenchmarkInputs For(BenchmarkConfig config)
    {
        float[] parameters = ParameterInitialization.CreateUniform(config.Shape, 1);
        var random = new Random(1);
        float[] Uniform(int count)
        {
            var values = new float[count];
            for (int i = 0; i < count; i++) values[i] = (float)(2 * random.NextDouble() - 1);
            return values;
        }

        float[] inputs = Uniform(config.SequenceLength * config.BatchSize * config.InputSize);
        float[] targets = Uniform(config.BatchSize * config.OutputSize);
        return new BenchmarkInputs(parameters, inputs, targets);
    }
}
