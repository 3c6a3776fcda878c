using FsCheck.Xunit;
using Rnn.Fast.Reference;

namespace Rnn.Fast.Tests.Training;

/// <summary>
/// The schedules follow PyTorch's chainable recurrence (the bits <c>scheduler.step()</c> gives), which agrees with the
/// closed formulas of <see cref="ReferenceSchedules"/> within bounds derived from double rounding, and differs from
/// them in the last bits; the rate of a step is a function of the step count alone.
/// </summary>
/// <remarks>
/// Double rounding model: u_d = 2⁻⁵³ per operation; Math.Cos within 1 ulp of 1 (2⁻⁵²) of the exact cosine of its
/// argument, and an argument fl(fl(π·k)/T) within 2·u_d relative of π·k/T moves the cosine by at most that much times
/// |sin| ≤ 1. Bounds are tracked step by step as absolute errors A_k on lr_k.
/// </remarks>
public sealed class LearningRateScheduleTests
{
    private const double DoubleUnit = 1.0 / 9007199254740992.0; // 2⁻⁵³
    private const double CosineError = 2 * DoubleUnit;          // 1 ulp at 1

    // 200 schedules of up to 3000 steps each: about 10⁶ recurrence steps, well under a second.
    private const int Cases = 200;

    [Property(MaxTest = Cases)]
    public void CosineAnnealingIsTheClosedFormWithinTheDerivedBound(int seed)
    {
        var random = new Random(seed);
        long length = random.Next(1, 3000);
        double initial = Math.Pow(10, -random.Next(1, 5)) * (0.5 + random.NextDouble());
        double minimum = random.Next(3) == 0 ? 0 : initial * random.NextDouble() * 0.1;
        var schedule = new CosineAnnealingSchedule(length, minimum);

        // A_k: the chain's bound. Step k computes ρ_k·(lr_{k−1} − η) + η with ρ_k = (1 + c_k)/(1 + c_{k−1}): each 1 + cos
        // carries e_N = 2⁻⁵² + 2u_d·a + u_d·(1 + cos a) (cosine, its argument, the addition), so ρ̂ is within
        // (e_N,k + ρ·e_N,k−1)/N_{k−1} + u_d·ρ of ρ; A_{k−1} is carried by ρ, the subtraction and the product add u_d each
        // relative to |lr_k − η|, and the final + η u_d·lr_k.
        double rate = schedule.LearningRateAt(initial, 0), bound = 0;
        Assert.Equal(initial, rate);
        for (long k = 1; k <= length; k++)
        {
            rate = schedule.Next(rate, initial, k);
            double a = Math.PI * k / length, previous = Math.PI * (k - 1) / length;
            double numerator = 1 + Math.Cos(a), denominator = 1 + Math.Cos(previous);
            double ratio = numerator / denominator;
            double ratioError = (Error(a, numerator) + ratio * Error(previous, denominator)) / denominator + DoubleUnit * ratio;
            double exact = ReferenceSchedules.CosineAnnealing(initial, k, length, minimum);
            double exactPrevious = ReferenceSchedules.CosineAnnealing(initial, k - 1, length, minimum);
            bound = bound * ratio * (1 + 3 * DoubleUnit) + (Math.Abs(exactPrevious - minimum) + bound) * ratioError
                + 2 * DoubleUnit * Math.Abs(exact - minimum) + DoubleUnit * exact;
            // The closed form's own error: its cosine (e_N) times (lr − η)/2, and four roundings of the result.
            double referenceError = (initial - minimum) * Error(a, numerator) / 2 + 4 * DoubleUnit * exact;
            double allowed = (bound + referenceError) * (1 + 1e-9);
            Assert.True(Math.Abs(rate - exact) <= allowed,
                $"T={length} lr={initial:R} η={minimum:R}: step {k}: {rate:R} vs {exact:R}, error {Math.Abs(rate - exact):E3} above {allowed:E3}");
        }
        Assert.Equal(rate, schedule.LearningRateAt(initial, length));

        static double Error(double argument, double onePlusCosine) => CosineError + 2 * DoubleUnit * argument + DoubleUnit * onePlusCosine;
    }

    [Property(MaxTest = Cases)]
    public void StepDecayIsTheClosedFormWithinTheDerivedBound(int seed)
    {
        var random = new Random(seed);
        long stepSize = random.Next(1, 50), steps = random.Next(0, 3000);
        double gamma = random.NextDouble(), initial = Math.Pow(10, -random.Next(1, 5)) * (0.5 + random.NextDouble());
        var schedule = new StepDecaySchedule(stepSize, gamma);
        double rate = schedule.LearningRateAt(initial, steps);
        double exact = ReferenceSchedules.StepDecay(initial, steps, stepSize, gamma);
        // j = ⌊k/s⌋ chained products (γ_j of double) against Math.Pow (within 1 ulp, 2u_d relative) and one product.
        long j = steps / stepSize;
        double gammaJ = j * DoubleUnit / (1 - j * DoubleUnit);
        double allowed = (gammaJ + 3 * DoubleUnit) * Math.Abs(exact) * (1 + 1e-9);
        if (exact < double.Epsilon * 1e10) return; // γ^j underflowed towards the subnormals: no relative statement
        Assert.True(Math.Abs(rate - exact) <= allowed, $"s={stepSize} γ={gamma:R} k={steps}: {rate:R} vs {exact:R}");
    }

    [Property(MaxTest = Cases)]
    public void LinearIsTheClosedFormWithinTheDerivedBound(int seed)
    {
        var random = new Random(seed);
        long length = random.Next(1, 3000);
        double start = Math.Max(1e-3, random.NextDouble()), end = random.Next(4) == 0 ? random.NextDouble() : 1;
        double initial = Math.Pow(10, -random.Next(1, 5)) * (0.5 + random.NextDouble());
        var schedule = new LinearSchedule(start, end, length);

        // lr_k = lr_{k−1}·(1 + D), D = (e − s)/(L·s + (k − 1)(e − s)): the denominator's two products and sum carry
        // 3u_d·(L·s + (k − 1)|e − s|) (it may cancel when e < s), e − s one u_d, the division one; 1 + D and the
        // product one u_d each.
        double rate = schedule.LearningRateAt(initial, 0), bound = DoubleUnit * rate;
        Assert.Equal(initial * start, rate);
        for (long k = 1; k <= length + 5; k++)
        {
            rate = schedule.Next(rate, initial, k);
            double exact = ReferenceSchedules.Linear(initial, k, start, end, length);
            if (k <= length)
            {
                double difference = end - start, denominator = length * start + (k - 1) * difference;
                double d = difference / denominator;
                double relativeD = 3 * DoubleUnit * (length * start + (k - 1) * Math.Abs(difference)) / denominator + 2 * DoubleUnit;
                double ratio = 1 + d;
                bound = bound * ratio * (1 + 2 * DoubleUnit) + exact * (Math.Abs(d) * relativeD / ratio + 2 * DoubleUnit);
            }
            // The closed form: four roundings.
            double allowed = (bound + 4 * DoubleUnit * exact) * (1 + 1e-9);
            Assert.True(Math.Abs(rate - exact) <= allowed, $"s={start:R} e={end:R} L={length}: step {k}: {rate:R} vs {exact:R}");
        }
    }

    [Fact]
    public void TheChainIsWhatTorchRunsNotTheClosedFormAndTheTwoDifferInTheLastBits()
    {
        // The chainable recurrence written out as torch's get_lr is, in torch's operation order.
        var schedule = new CosineAnnealingSchedule(100, 0.001);
        double chained = 0.1;
        int differences = 0;
        for (int k = 1; k <= 100; k++)
        {
            chained = (1 + Math.Cos(Math.PI * k / 100.0)) / (1 + Math.Cos(Math.PI * (k - 1) / 100.0)) * (chained - 0.001) + 0.001;
            Assert.Equal(BitConverter.DoubleToInt64Bits(chained), BitConverter.DoubleToInt64Bits(schedule.LearningRateAt(0.1, k)));
            if (chained != ReferenceSchedules.CosineAnnealing(0.1, k, 100, 0.001)) differences++;
        }
        Assert.True(differences > 0, "the closed form and the chain agreed in every bit; the test would not tell them apart");

        var decay = new StepDecaySchedule(1, 0.9);
        double product = 0.1;
        differences = 0;
        for (int k = 1; k <= 200; k++)
        {
            product *= 0.9;
            Assert.Equal(product, decay.LearningRateAt(0.1, k));
            if (product != 0.1 * Math.Pow(0.9, k)) differences++;
        }
        Assert.True(differences > 0);
    }

    [Fact]
    public void BadHyperParametersAreNamedWithTheirValue()
    {
        Assert.Contains("StepSize must be at least 1, but is 0", Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecaySchedule(0)).Message);
        Assert.Contains("Gamma", Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecaySchedule(10, double.NaN)).Message);
        Assert.Contains("Length must be at least 1, but is -3", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingSchedule(-3)).Message);
        Assert.Contains("MinimumLearningRate must be finite and at least 0, but is -1", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingSchedule(10, -1)).Message);
        Assert.Contains("StartFactor must be in (0, 1], but is 0", Assert.Throws<ArgumentOutOfRangeException>(() => new LinearSchedule(0, 1, 5)).Message);
        Assert.Contains("EndFactor must be in [0, 1], but is 2", Assert.Throws<ArgumentOutOfRangeException>(() => new LinearSchedule(0.5, 2, 5)).Message);
        Assert.Equal("initialLearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new LinearSchedule(0.5, 1, 5).LearningRateAt(double.PositiveInfinity, 1)).ParamName);
        Assert.Equal("step", Assert.Throws<ArgumentOutOfRangeException>(() => new LinearSchedule(0.5, 1, 5).LearningRateAt(0.1, -1)).ParamName);
        var schedule = new CosineAnnealingSchedule(10);
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule with { Length = 0 });
    }
}
