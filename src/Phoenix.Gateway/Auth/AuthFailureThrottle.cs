using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Phoenix.Gateway.Auth;

/// <summary>
/// Counts authentication failures per client address in fixed windows (a <see cref="PartitionedRateLimiter{TResource}"/>
/// of <see cref="FixedWindowRateLimiter"/>s keyed by address, one permit per failure): once an address has used
/// <see cref="AuthFailureThrottleOptions.FailureLimit"/> failures in the window, it is blocked until the window ends,
/// whatever credentials it then sends. Idle partitions are dropped by the limiter.
/// </summary>
/// <remarks>
/// The window runs on the limiter's own monotonic clock (System.Threading.RateLimiting takes no
/// <see cref="TimeProvider"/>); tests exhaust the count instead of waiting. <see cref="IsBlocked"/>'s retry-after is
/// the window length, an upper bound of the time left.
/// </remarks>
internal sealed class AuthFailureThrottle : IDisposable
{
    private const string UnknownAddress = "(unknown)";
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly TimeSpan _window;

    public AuthFailureThrottle(IOptions<AuthFailureThrottleOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var limit = options.Value.FailureLimit;
        _window = options.Value.FailureWindow;
        var window = _window;
        _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(
            address,
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit,
                Window = window,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>The address a request is counted under (the connection's remote IP; behind a proxy, configure forwarded headers first).</summary>
    public static string ClientAddress(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Connection.RemoteIpAddress?.ToString() ?? UnknownAddress;
    }

    /// <summary>Counts one failure of <paramref name="address"/>.</summary>
    public void RecordFailure(string address)
    {
        using var lease = _limiter.AttemptAcquire(address, 1);
    }

    /// <summary>Whether <paramref name="address"/> has no failures left in its window, and when to retry if so.</summary>
    public bool IsBlocked(string address, out TimeSpan retryAfter)
    {
        using var lease = _limiter.AttemptAcquire(address, 0);
        if (lease.IsAcquired)
        {
            retryAfter = TimeSpan.Zero;
            return false;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero ? after : _window;
        return true;
    }

    public void Dispose() => _limiter.Dispose();
}
