using Rnn.Fast.Compare;

namespace Rnn.Fast.Tests.Compare;

public class MannWhitneyTests
{
    [Fact]
    public void ThreeAgainstThreeFullySeparatedHasTheExactTailOneInTwenty()
    {
        // Of the C(6,3) = 20 equally likely arrangements, only one puts all three y above all three x.
        Assert.Equal(0.05, MannWhitney.PValueGreater([1, 2, 3], [4, 5, 6]), 12);
        Assert.Equal(1.0, MannWhitney.PValueGreater([4, 5, 6], [1, 2, 3]), 12);
    }

    [Fact]
    public void TheExactTailCountsArrangementsAtLeastAsExtreme()
    {
        // x = {1, 3}, y = {2, 4}: U = 3 (pairs y > x: 2>1, 4>1, 4>3). Arrangements of 2+2 with U ≥ 3: U = 3 or 4,
        // one each, out of C(4,2) = 6.
        Assert.Equal(2.0 / 6, MannWhitney.PValueGreater([1, 3], [2, 4]), 12);
    }

    [Fact]
    public void FiveAgainstFiveFullySeparatedHasTheExactTailOneIn252()
    {
        // The exact distribution of U, not an approximation: 1/C(10,5).
        Assert.Equal(1.0 / 252, MannWhitney.PValueGreater([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]), 1e-15);
        // U = 24 of 25: two arrangements (U = 24, 25) of 252.
        Assert.Equal(2.0 / 252, MannWhitney.PValueGreater([1, 2, 3, 4, 6], [5, 7, 8, 9, 10]), 1e-15);
    }

    [Fact]
    public void TheThresholdStretchesTheFirstSample()
    {
        double[] baseline = [100, 104, 98, 101, 97];
        double[] current = [112, 109, 115, 108, 111];
        // 10% stretch: the baseline becomes 110, 114.4, 107.8, 111.1, 106.7, which the current run does not clear.
        Assert.Equal(MannWhitney.PValueGreater([.. baseline.Select(v => v * 1.1)], current), MannWhitney.PValueGreater(baseline, current, 0.10), 15);
        Assert.True(MannWhitney.PValueGreater(baseline, current) < 0.01);
        Assert.True(MannWhitney.PValueGreater(baseline, current, 0.10) > 0.05);
    }

    [Fact]
    public void AnExactTailEqualToTheSignificanceLevelIsSignificant()
    {
        // Three against three fully separated is exactly 1/20; the test's 1 − CDF may land a few ulps above it.
        double p = MannWhitney.PValueGreater([1, 2, 3], [4, 5, 6]);
        Assert.True(MannWhitney.IsAtMost(p, 0.05));
        Assert.False(MannWhitney.IsAtMost(2.0 / 6, 0.05));
        Assert.False(MannWhitney.IsAtMost(0.0500001, 0.05));
    }

    [Fact]
    public void LargeSamplesUseAnApproximationAndAgreeOnClearCases()
    {
        double[] x = [.. Enumerable.Range(0, 60).Select(i => 100.0 + i % 7)];
        double[] shifted = [.. x.Select(v => v + 20)];
        Assert.True(MannWhitney.PValueGreater(x, shifted) < 1e-6);
        Assert.True(MannWhitney.PValueGreater(shifted, x) > 0.999);
        double same = MannWhitney.PValueGreater(x, x);
        Assert.InRange(same, 0.4, 0.6);
    }
}
