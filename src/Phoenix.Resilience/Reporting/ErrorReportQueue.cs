using System.Threading.Channels;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Phoenix.Resilience.Reporting;

/// <summary>
/// The bounded queue between <see cref="ErrorReporter"/> and <see cref="ErrorReportSender"/>, behind the reporting
/// rate limit: at most <see cref="ErrorReportingOptions.MaxReportsPerSecond"/> reports per one-second window.
/// Offering a report never waits.
/// </summary>
/// <remarks>
/// The permits are those of a <see cref="ConcurrencyLimiter"/>: each accepted report holds one until the window
/// ends, when a timer of the injected <see cref="TimeProvider"/> gives them all back (so tests advance a fake clock).
/// The replenishing limiters of System.Threading.RateLimiting (token bucket, fixed and sliding window) cannot be used
/// here: even with <c>AutoReplenishment = false</c> they measure the elapsed time with <c>Stopwatch</c> when
/// <c>TryReplenish</c> is called, so a fake clock cannot drive them.
/// </remarks>
internal sealed class ErrorReportQueue : IDisposable
{
    private static readonly TimeSpan ReplenishmentPeriod = TimeSpan.FromSeconds(1);

    private readonly Channel<PendingErrorReport> _channel;
    private readonly ConcurrencyLimiter _limiter;
    private readonly Queue<RateLimitLease> _window = new();
    private readonly Lock _windowLock = new();
    private readonly ITimer _replenishTimer;
    private volatile bool _closed;

    /// <summary>Creates the queue with the capacity and rate of <paramref name="options"/>.</summary>
    public ErrorReportQueue(IOptions<ErrorReportingOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var value = options.Value;
        _channel = Channel.CreateBounded<PendingErrorReport>(new BoundedChannelOptions(value.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = value.MaxReportsPerSecond, QueueLimit = 0 });
        _replenishTimer = timeProvider.CreateTimer(static state => ((ErrorReportQueue)state!).Replenish(), this, ReplenishmentPeriod, ReplenishmentPeriod);
    }

    /// <summary>Where the sender takes reports from.</summary>
    public ChannelReader<PendingErrorReport> Reader => _channel.Reader;

    /// <summary>Queues <paramref name="report"/> if the rate limit and the capacity allow it. Never waits.</summary>
    public ErrorReportEnqueueResult TryEnqueue(PendingErrorReport report)
    {
        if (_closed)
        {
            return ErrorReportEnqueueResult.Closed;
        }

        lock (_windowLock)
        {
            var lease = _limiter.AttemptAcquire();
            if (!lease.IsAcquired)
            {
                lease.Dispose();
                return ErrorReportEnqueueResult.RateLimited;
            }

            _window.Enqueue(lease);
        }

        if (_channel.Writer.TryWrite(report))
        {
            return ErrorReportEnqueueResult.Accepted;
        }

        return _closed ? ErrorReportEnqueueResult.Closed : ErrorReportEnqueueResult.QueueFull;
    }

    /// <summary>Accepts no more reports; the reader ends once it has taken those already queued.</summary>
    public void Complete()
    {
        _closed = true;
        _channel.Writer.TryComplete();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Complete();
        _replenishTimer.Dispose();
        Replenish();
        _limiter.Dispose();
    }

    /// <summary>Ends the window: every permit taken in it is given back.</summary>
    private void Replenish()
    {
        lock (_windowLock)
        {
            while (_window.TryDequeue(out var lease))
            {
                lease.Dispose();
            }
        }
    }
}
