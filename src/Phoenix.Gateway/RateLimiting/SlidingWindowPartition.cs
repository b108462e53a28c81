using System.Threading.RateLimiting;

namespace Phoenix.Gateway.RateLimiting;

/// <summary>
/// One key's <see cref="SlidingWindowRateLimiter"/> and the moment it was created. The limiter replenishes itself on
/// a timer started at creation, so its segment boundaries fall at <c>created + k × segment</c>: that is how the time
/// until permits come back is known (the limiter does not report it).
/// </summary>
internal sealed class SlidingWindowPartition : IDisposable
{
    private readonly SlidingWindowRateLimiter _limiter;
    private readonly TimeProvider _time;
    private readonly long _created;

    public SlidingWindowPartition(int permitLimit, int segments, TimeProvider time)
    {
        _time = time;
        _created = time.GetTimestamp();
        _limiter = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = permitLimit,
            Window = RateLimitingOptions.Window,
            SegmentsPerWindow = segments,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
        Limit = permitLimit;
    }

    /// <summary>The limit this partition enforces.</summary>
    public int Limit { get; }

    /// <summary>How long every permit has been back, or null while some are in use.</summary>
    public TimeSpan? IdleDuration => _limiter.IdleDuration;

    /// <summary>Takes one permit if there is one.</summary>
    /// <exception cref="ObjectDisposedException">The partition was swept; take a fresh one.</exception>
    public RateLimitDecision Acquire()
    {
        bool allowed;
        using (var lease = _limiter.AttemptAcquire())
        {
            allowed = lease.IsAcquired;
        }

        var remaining = (int)Math.Max(0, _limiter.GetStatistics()?.CurrentAvailablePermits ?? 0);
        return new RateLimitDecision(allowed, Limit, remaining, UntilNextSegment());
    }

    public void Dispose() => _limiter.Dispose();

    // The earliest moment permits used in the oldest segment return. When the oldest segment was unused, the wait
    // is longer: the client is told to come back at the next boundary and is told again then.
    private TimeSpan UntilNextSegment()
    {
        var segment = _limiter.ReplenishmentPeriod;
        var elapsed = _time.GetElapsedTime(_created);
        return segment - TimeSpan.FromTicks(elapsed.Ticks % segment.Ticks);
    }
}
