using Microsoft.Extensions.Time.Testing;
using Phoenix.Resilience.Fallbacks;

namespace Phoenix.Resilience.Tests.Fallbacks;

public sealed class LastKnownGoodCacheTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void TryGet_Empty_ReturnsFalse()
    {
        var cache = new LastKnownGoodCache<string>(TimeSpan.FromMinutes(1), _time);

        Assert.False(cache.TryGet(out var value));
        Assert.Null(value);
    }

    [Fact]
    public void TryGet_YoungerThanTtl_ReturnsValue()
    {
        var cache = new LastKnownGoodCache<string>(TimeSpan.FromMinutes(1), _time);
        cache.Set("good");
        _time.Advance(TimeSpan.FromSeconds(59));

        Assert.True(cache.TryGet(out var value));
        Assert.Equal("good", value);
    }

    [Fact]
    public void TryGet_TtlElapsed_ReturnsFalse()
    {
        var cache = new LastKnownGoodCache<string>(TimeSpan.FromMinutes(1), _time);
        cache.Set("good");
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.False(cache.TryGet(out _));
    }

    [Fact]
    public void Set_AgainBeforeExpiry_RestartsTtl()
    {
        var cache = new LastKnownGoodCache<int>(TimeSpan.FromMinutes(1), _time);
        cache.Set(1);
        _time.Advance(TimeSpan.FromSeconds(50));
        cache.Set(2);
        _time.Advance(TimeSpan.FromSeconds(50));

        Assert.True(cache.TryGet(out var value));
        Assert.Equal(2, value);
    }

    [Fact]
    public void Clear_AfterSet_ForgetsValue()
    {
        var cache = new LastKnownGoodCache<int>(TimeSpan.FromMinutes(1), _time);
        cache.Set(1);

        cache.Clear();

        Assert.False(cache.TryGet(out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Ctor_NonPositiveTtl_Throws(int seconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LastKnownGoodCache<int>(TimeSpan.FromSeconds(seconds), _time));
}
