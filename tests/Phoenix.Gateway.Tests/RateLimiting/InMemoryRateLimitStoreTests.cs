using Phoenix.Gateway.RateLimiting;

namespace Phoenix.Gateway.Tests.RateLimiting;

public sealed class InMemoryRateLimitStoreTests
{
    [Fact]
    public async Task AcquireAsync_LimitReached_RefusesWithTimeToNextSegment()
    {
        using var snapshot = TestSnapshots.Of(new RateLimitingOptions());
        using var store = new InMemoryRateLimitStore(snapshot, TimeProvider.System);

        var first = await store.AcquireAsync("k", 2, CancellationToken.None);
        var second = await store.AcquireAsync("k", 2, CancellationToken.None);
        var third = await store.AcquireAsync("k", 2, CancellationToken.None);

        Assert.Equal((true, 2, 1), (first.IsAllowed, first.Limit, first.Remaining));
        Assert.Equal((true, 0), (second.IsAllowed, second.Remaining));
        Assert.Equal((false, 0), (third.IsAllowed, third.Remaining));
        Assert.InRange(third.ResetAfter, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AcquireAsync_LimitChanges_StartsAFreshWindow()
    {
        using var snapshot = TestSnapshots.Of(new RateLimitingOptions());
        using var store = new InMemoryRateLimitStore(snapshot, TimeProvider.System);
        await store.AcquireAsync("k", 1, CancellationToken.None);

        var refused = await store.AcquireAsync("k", 1, CancellationToken.None);
        var raised = await store.AcquireAsync("k", 3, CancellationToken.None);

        Assert.False(refused.IsAllowed);
        Assert.Equal((true, 3, 2), (raised.IsAllowed, raised.Limit, raised.Remaining));
        Assert.Equal(2, store.PartitionCount);
    }

    [Fact]
    public async Task Sweep_PartitionInUse_KeepsIt()
    {
        using var snapshot = TestSnapshots.Of(new RateLimitingOptions());
        using var store = new InMemoryRateLimitStore(snapshot, TimeProvider.System);
        await store.AcquireAsync("k", 5, CancellationToken.None);

        store.Sweep();

        Assert.Equal(1, store.PartitionCount);
        Assert.Equal(3, (await store.AcquireAsync("k", 5, CancellationToken.None)).Remaining);
    }
}
