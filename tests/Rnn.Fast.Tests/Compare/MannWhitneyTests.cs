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
    public void LargeSamplesUseTheNormalApproximationAndAgreeOnClearCases()
    {
        double[] x = [.. Enumerable.Range(0, 60).Select(i => 100.0 + i % 7)];
        double[] shifted = [.. x.Select(v => v + 20)];
        Assert.True(MannWhitney.PValueGreater(x, shifted) < 1e-6);
        Assert.True(MannWhitney.PValueGreater(shifted, x) > 0.999);
        double same = MannWhitney.PValueGreater(x, x);
        Assert.InRange(same, 0.4, 0.6);
    }
}
