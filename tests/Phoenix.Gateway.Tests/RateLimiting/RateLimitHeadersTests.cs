using Phoenix.Gateway.RateLimiting;

namespace Phoenix.Gateway.Tests.RateLimiting;

public sealed class RateLimitHeadersTests
{
    [Fact]
    public void FormatPolicy_Limit_IsStructuredFieldWithQuotaAndWindow() =>
        Assert.Equal("\"per-key\";q=100;w=60", RateLimitHeaders.FormatPolicy(100));

    [Fact]
    public void FormatState_NegativeRemaining_IsClampedToZero() =>
        Assert.Equal("\"per-key\";r=0;t=7", RateLimitHeaders.FormatState(-2, 7));

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(0, 1, 1)]
    [InlineData(100, 0, 1)]
    [InlineData(9_001, 1, 10)]
    [InlineData(10_000, 1, 10)]
    public void Seconds_Span_RoundsUpWithMinimum(int milliseconds, int minimum, int expected) =>
        Assert.Equal(expected, RateLimitHeaders.Seconds(TimeSpan.FromMilliseconds(milliseconds), minimum));
}
