using System.Globalization;

namespace Rnn.Fast.Cli.Verify;

/// <summary>
/// <c>rnn verify</c>: builds a seeded model and batch (sizes given or drawn), runs <see cref="EngineVerification"/>
/// and prints its report.
/// </summary>
public static class VerifyCommand
{
    /// <summary>
    /// The largest normwise relative error (of any tensor) that counts as agreement. The engine's float rounding over
    /// chains of K terms is at most K·2⁻²⁴ relative to the terms' magnitudes, about 10⁻⁵ at K = 100 in the worst case
    /// and far less in practice; 10⁻³ leaves room for long sequences and still flags any real mistake.
    /// </summary>
    public const double AgreementThreshold = 1e-3;

    /// <summary>Runs the comparison and writes the report to <paramref name="output"/>.</summary>
    /// <param name="options">Seed, sizes and loss.</param>
    /// <param name="output">Where the report goes.</param>
    /// <returns>The report.</returns>
    /// <exception cref="UsageException">The sizes would make the reference run too long.</exception>
    public static VerificationReport Run(VerifyOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        // Sizes are drawn first, in a fixed order, so giving one size does not change the values drawn for the others.
        var random = new Random(unchecked((int)options.Seed ^ (int)(options.Seed >> 32)));
        int n = options.BatchSize ?? random.Next(1, 9);
        int d = options.InputSize ?? random.Next(1, 41);
        int h = options.HiddenSize ?? random.Next(1, 71);
        int o = options.OutputSize ?? random.Next(1, 11);
        int T = options.SequenceLength ?? random.Next(1, 21);
        long work = (long)T * n * ((long)d * h + (long)h * h + (long)h * o);
        if (work > VerifyOptions.MaxWork)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"T·n·(d·h + h·h + h·o) = {work} multiply-adds is more than the reference runs in reasonable time ({VerifyOptions.MaxWork}); choose smaller sizes"));
        }

        var shape = new RnnShape(d, h, o);
        var model = new RnnModel(shape, options.Seed);
        int targetCount = options.Loss == LossKind.LastOutputMeanSquaredError ? n * o : T * n * o;
        float[] inputs = Uniform(random, T * n * d), initialHidden = Uniform(random, n * h), targets = Uniform(random, targetCount);

        VerificationReport report = EngineVerification.Compare(model, inputs, T, n, targets, options.Loss, initialHidden);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rnn verify: seed {options.Seed}; parameters uniform(+-1/sqrt(h)), inputs, H_0 and targets uniform(-1, 1); {model.InstructionSet} kernels"));
        output.WriteLine(report.ToString());
        bool agrees = report.Worst.RelativeError <= AgreementThreshold;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {(agrees ? "agree" : "DISAGREE")}: every relative error {(agrees ? "is at most" : "should be at most")} {AgreementThreshold:0e+00}"));
        return report;
    }

    private static float[] Uniform(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
