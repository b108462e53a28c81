using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Phoenix.Resilience.Errors;

namespace Phoenix.Resilience.Pipelines;

/// <summary>Reads the "try again after" hint a failure carries, if any.</summary>
public static class RetryAfterHint
{
    /// <summary>
    /// The hint of <paramref name="exception"/>: <see cref="PhoenixError.RetryAfter"/>,
    /// <see cref="BrokenCircuitException.RetryAfter"/> or <see cref="RateLimiterRejectedException.RetryAfter"/>.
    /// </summary>
    public static bool TryGet(Exception? exception, out TimeSpan delay)
    {
        TimeSpan? hint = exception switch
        {
            PhoenixException phoenix => phoenix.Error.RetryAfter,
            BrokenCircuitException broken => broken.RetryAfter,
            RateLimiterRejectedException rejected => rejected.RetryAfter,
            _ => null,
        };
        delay = hint is { } value && value > TimeSpan.Zero ? value : TimeSpan.Zero;
        return delay > TimeSpan.Zero;
    }
}
