using Microsoft.Extensions.Time.Testing;
using Phoenix.Gateway.Vitals;

namespace Phoenix.Gateway.Tests.Vitals;

public sealed class RequestStatsTests
{
    private static readonly TimeSpan TenSeconds = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Snapshot_NoRequests_ZeroRatesAndNoPercentiles()
    {
        var stats = new RequestStats(_time);

        var snapshot = stats.Snapshot(TenSeconds);

        Assert.Equal(0, snapshot.RequestRate);
        Assert.Equal(0, snapshot.Requests);
        Assert.Equal(0, snapshot.ErrorRate);
        Assert.Null(snapshot.P50);
        Assert.Null(snapshot.P95);
        Assert.Null(snapshot.P99);
    }

    [Fact]
    public void Snapshot_FivePerSecondForTenSeconds_RateIsFive()
    {
        var stats = new RequestStats(_time);
        for (var second = 0; second < 10; second++)
        {
            RecordMany(stats, 5, 200);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var snapshot = stats.Snapshot(TenSeconds);

        Assert.Equal(5, snapshot.RequestRate);
        Assert.Equal(50, snapshot.Requests);
    }

    [Fact]
    public void Snapshot_RequestsInCurrentSecond_NotInRateButInCountsAndShare()
    {
        var stats = new RequestStats(_time);
        RecordMany(stats, 20, 200);
        _time.Advance(TimeSpan.FromSeconds(1));
        RecordMany(stats, 100, 500);

        var snapshot = stats.Snapshot(TenSeconds);

        Assert.Equal(2, snapshot.RequestRate);
        Assert.Equal(120, snapshot.Requests);
        Assert.Equal(100, snapshot.Errors);
    }

    [Fact]
    public void Snapshot_OlderThanRateWindow_LeavesRateButStaysInWindow()
    {
        var stats = new RequestStats(_time);
        RecordMany(stats, 30, 200);
        _time.Advance(TimeSpan.FromSeconds(11));

        var snapshot = stats.Snapshot(TenSeconds);

        Assert.Equal(0, snapshot.RequestRate);
        Assert.Equal(30, snapshot.Requests);
    }

    [Fact]
    public void Snapshot_FiftyNineSecondsLater_StillCounted()
    {
        var stats = new RequestStats(_time);
        RecordMany(stats, 3, 503);
        _time.Advance(TimeSpan.FromSeconds(59));

        var snapshot = stats.Snapshot(TenSeconds);

        Assert.Equal(3, snapshot.Requests);
        Assert.Equal(3, snapshot.Errors);
        Assert.NotNull(snapshot.P50);
    }

    [Fact]
    public void Snapshot_SixtySecondsLater_RolledOff()
    {
        var stats = new RequestStats(_time);
        RecordMany(stats, 3, 503);
        _time.Advance(TimeSpan.FromSeconds(60));

        var snapshot = stats.Snapshot(TenSeconds);

        Assert.Equal(0, snapshot.Requests);
        Assert.Equal(0, snapshot.Errors);
        Assert.Equal(0, snapshot.ErrorRate);
        Assert.Null(snapshot.P99);
    }

    [Fact]
    public void Record_SlotComesRoundAgain_OldSecondIsReset()
    {
        var stats = new RequestStats(_time);
        RecordMany(stats, 7, 500, TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(60));

        stats.Record(200, TimeSpan.FromMilliseconds(2));
        var snapshot = stats.Snapshot(TenSeconds);

        Assert.Equal(1, snapshot.Requests);
        Assert.Equal(0, snapshot.Errors);
        Assert.InRange(snapshot.P99!.Value, 1.9, 2.1);
    }

    [Fact]
    public void Snapshot_OneToHundredMilliseconds_PercentilesWithinHistogramAccuracy()
    {
        var stats = new RequestStats(_time);
        for (var ms = 100; ms >= 1; ms--)
        {
            stats.Record(200, TimeSpan.FromMilliseconds(ms));
        }

        var snapshot = stats.Snapshot(TenSeconds);

        AssertWithin(50, snapshot.P50);
        AssertWithin(95, snapshot.P95);
        AssertWithin(99, snapshot.P99);
    }

    [Fact]
    public void Snapshot_SpreadOverSeconds_PercentilesMergeTheWindow()
    {
        var stats = new RequestStats(_time);
        RecordMany(stats, 90, 200, TimeSpan.FromMilliseconds(10));
        _time.Advance(TimeSpan.FromSeconds(30));
        RecordMany(stats, 10, 200, TimeSpan.FromMilliseconds(1000));

        var snapshot = stats.Snapshot(TenSeconds);

        AssertWithin(10, snapshot.P50);
        AssertWithin(1000, snapshot.P95);
        AssertWithin(1000, snapshot.P99);
    }

    [Fact]
    public void Snapshot_MixedStatuses_ErrorShareCountsOnlyServerErrors()
    {
        var stats = new RequestStats(_time);
        foreach (var status in new[] { 200, 201, 400, 401, 403, 429, 500, 503, 504, 200 })
        {
            stats.Record(status, TimeSpan.FromMilliseconds(1));
        }

        var snapshot = stats.Snapshot(TenSeconds);

        Assert.Equal(10, snapshot.Requests);
        Assert.Equal(3, snapshot.Errors);
        Assert.Equal(0.3, snapshot.ErrorRate, 10);
    }

    [Theory]
    [InlineData(200, false)]
    [InlineData(404, false)]
    [InlineData(429, false)]
    [InlineData(499, false)]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    public void IsError_Status_OnlyServerErrors(int status, bool expected) => Assert.Equal(expected, RequestStats.IsError(status));

    [Theory]
    [InlineData(0)]
    [InlineData(60)]
    public void Snapshot_RateWindowOutOfRange_Throws(int seconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestStats(_time).Snapshot(TimeSpan.FromSeconds(seconds)));

    private static void RecordMany(RequestStats stats, int count, int status, TimeSpan? latency = null)
    {
        for (var i = 0; i < count; i++)
        {
            stats.Record(status, latency ?? TimeSpan.FromMilliseconds(1));
        }
    }

    private static void AssertWithin(double expectedMs, double? actualMs)
    {
        Assert.NotNull(actualMs);
        Assert.InRange(actualMs.Value, expectedMs * (1 - (1 / 32.0)), expectedMs * (1 + (1 / 32.0)));
    }
}
