using Microsoft.Extensions.Time.Testing;

namespace Phoenix.Resilience.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that signals each timer it creates, so a test can wait until a
/// backoff delay is actually scheduled before advancing time (advancing earlier would be lost).
/// </summary>
internal sealed class TimerTrackingTimeProvider : FakeTimeProvider
{
    public SemaphoreSlim TimerCreated { get; } = new(0);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        TimerCreated.Release();
        return timer;
    }

    /// <summary>Waits (at most 10 s of real time, as a guard) for the next timer to be created.</summary>
    public async Task WaitForTimerAsync() =>
        Assert.True(await TimerCreated.WaitAsync(TimeSpan.FromSeconds(10)), "No timer was scheduled.");
}
