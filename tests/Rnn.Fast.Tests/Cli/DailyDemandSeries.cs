using System.Globalization;
using System.Text;

namespace Rnn.Fast.Tests.Cli;

/// <summary>
/// The sample data set samples/daily-demand.csv, from its documented formula (samples/README.md): two years of a
/// synthetic daily series with a yearly temperature cycle, a weekly demand cycle, a slow trend, heating demand on
/// cold days, and seeded Gaussian noise. <see cref="SampleDataTests"/> regenerates the file and compares it byte for
/// byte with the committed one, so the formula in the README is the one the file was made with.
/// </summary>
public static class DailyDemandSeries
{
    /// <summary>Days in the series: 2023-01-01 to 2024-12-30.</summary>
    public const int Days = 730;

    /// <summary>The seed of the noise.</summary>
    public const ulong Seed = 20230101;

    /// <summary>The CSV text: a header <c>date,temperature,demand</c> and one row per day, LF line endings.</summary>
    public static string Csv()
    {
        var noise = new GaussianNoise(Seed);
        var text = new StringBuilder("date,temperature,demand\n");
        var start = new DateOnly(2023, 1, 1);
        for (int t = 0; t < Days; t++)
        {
            // Both noises are drawn every day, temperature's first, so each value depends on t and the seed alone.
            double temperatureNoise = noise.Next(), demandNoise = noise.Next();
            double temperature = Math.Round(12 - 9 * Math.Cos(2 * Math.PI * (t - 15) / 365.25) + 2 * temperatureNoise, 1, MidpointRounding.AwayFromZero);
            double weekly = 25 * Math.Sin(2 * Math.PI * t / 7) + 10 * Math.Cos(4 * Math.PI * t / 7);
            double demand = Math.Round(300 + 0.05 * t + weekly + 3 * Math.Max(0, 18 - temperature) + 8 * demandNoise, 1, MidpointRounding.AwayFromZero);
            text.Append(CultureInfo.InvariantCulture, $"{start.AddDays(t):yyyy-MM-dd},{temperature:0.0},{demand:0.0}\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// Standard normal values: SplitMix64 (Steele, Lea and Flood 2014) gives 64-bit words; the top 53 bits of two
    /// words make u1 in (0, 1] and u2 in [0, 1), and Box–Muller's z = √(−2 ln u1) · cos(2π u2) is one value.
    /// </summary>
    private sealed class GaussianNoise(ulong seed)
    {
        private ulong _state = seed;

        public double Next()
        {
            double u1 = ((NextWord() >> 11) + 1) * (1.0 / (1UL << 53));
            double u2 = (NextWord() >> 11) * (1.0 / (1UL << 53));
            return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        private ulong NextWord()
        {
            ulong z = _state += 0x9E37_79B9_7F4A_7C15;
            z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9;
            z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB;
            return z ^ (z >> 31);
        }
    }
}
