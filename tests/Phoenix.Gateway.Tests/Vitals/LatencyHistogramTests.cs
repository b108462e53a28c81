using Phoenix.Gateway.Vitals;

namespace Phoenix.Gateway.Tests.Vitals;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void IndexOf_EveryValueUpToMax_AnsweredWithinOneThirtySecond()
    {
        // Every bucket boundary region, sampled: powers of two and their neighbours, plus a sweep of small values.
        var values = Enumerable.Range(0, 5000).Select(v => (long)v)
            .Concat(Enumerable.Range(4, 28).SelectMany(e => new[] { (1L << e) - 1, 1L << e, (1L << e) + 1, (3L << e) / 2 }));
        foreach (var value in values)
        {
            var answered = LatencyHistogram.ValueOf(LatencyHistogram.IndexOf(value));
            Assert.InRange(answered, value - (value / 32.0), value + (value / 32.0));
        }
    }

    [Fact]
    public void IndexOf_BelowSixteenMicroseconds_Exact()
    {
        for (var value = 0; value < 16; value++)
        {
            Assert.Equal(value, LatencyHistogram.ValueOf(LatencyHistogram.IndexOf(value)));
        }
    }

    [Fact]
    public void IndexOf_BeyondMaxOrNegative_Clamped()
    {
        Assert.Equal(LatencyHistogram.BucketCount - 1, LatencyHistogram.IndexOf(long.MaxValue));
        Assert.Equal(LatencyHistogram.BucketCount - 1, LatencyHistogram.IndexOf(LatencyHistogram.MaxMicroseconds));
        Assert.Equal(0, LatencyHistogram.IndexOf(-5));
    }

    [Fact]
    public void IndexOf_Increasing_BucketsNeverDecrease()
    {
        var previous = 0;
        for (long value = 0; value < 1 << 20; value += 7)
        {
            var index = LatencyHistogram.IndexOf(value);
            Assert.True(index >= previous);
            previous = index;
        }
    }

    [Fact]
    public void Percentile_AfterAddToAndClear_MergesThenForgets()
    {
        var first = new LatencyHistogram();
        var merged = new LatencyHistogram();
        first.Add(TimeSpan.FromMilliseconds(3));
        first.AddTo(merged);
        first.Clear();

        Assert.Equal(1, merged.Count);
        Assert.InRange(merged.Percentile(0.5)!.Value, 2.9, 3.1);
        Assert.Equal(0, first.Count);
        Assert.Null(first.Percentile(0.5));
    }
}
