using Phoenix.Gateway.RateLimiting;

namespace Phoenix.Gateway.Tests.RateLimiting;

public sealed class ConcurrencyRunAdmissionTests
{
    [Fact]
    public async Task TryEnterAsync_SlotsTaken_QueuesThenRejectsWhenQueueFull()
    {
        using var snapshot = TestSnapshots.Of(new RateLimitingOptions { MaxConcurrentRuns = 1, QueueLimit = 1 });
        using var admission = new ConcurrencyRunAdmission(snapshot);

        var first = await admission.TryEnterAsync(CancellationToken.None);
        var queued = admission.TryEnterAsync(CancellationToken.None);
        var third = admission.TryEnterAsync(CancellationToken.None);

        Assert.True(first.IsAdmitted);
        Assert.False(queued.IsCompleted);
        Assert.True(third.IsCompleted);
        Assert.False((await third).IsAdmitted);

        first.Dispose();
        using var second = await queued;
        Assert.True(second.IsAdmitted);
    }

    [Fact]
    public async Task TryEnterAsync_CancelledWhileQueued_ThrowsAndLeavesTheQueue()
    {
        using var snapshot = TestSnapshots.Of(new RateLimitingOptions { MaxConcurrentRuns = 1, QueueLimit = 1 });
        using var admission = new ConcurrencyRunAdmission(snapshot);
        using var first = await admission.TryEnterAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var queued = admission.TryEnterAsync(cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await queued);
        Assert.Equal(0, admission.Statistics!.CurrentQueuedCount);
    }

    [Fact]
    public async Task Dispose_Twice_FreesOneSlotOnce()
    {
        using var snapshot = TestSnapshots.Of(new RateLimitingOptions { MaxConcurrentRuns = 2, QueueLimit = 0 });
        using var admission = new ConcurrencyRunAdmission(snapshot);
        var first = await admission.TryEnterAsync(CancellationToken.None);
        using var second = await admission.TryEnterAsync(CancellationToken.None);

        first.Dispose();
        first.Dispose();

        Assert.Equal(1, admission.Statistics!.CurrentAvailablePermits);
    }
}
