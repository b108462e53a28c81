using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Phoenix.Gateway.RateLimiting;

/// <summary>
/// The <c>rate-limit-store</c> health check: Healthy when limits are counted in memory, or when Redis answers a PING;
/// Degraded when Redis is configured but unreachable (limits then hold per replica only, see <see cref="RedisRateLimitStore"/>).
/// </summary>
internal sealed class RateLimitStoreHealthCheck : IHealthCheck
{
    /// <summary>The check's name.</summary>
    public const string Name = "rate-limit-store";

    private readonly RedisRateLimitConnection? _redis;

    public RateLimitStoreHealthCheck(RedisRateLimitConnection? redis) => _redis = redis;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_redis is null)
        {
            return HealthCheckResult.Healthy("Rate limits are counted in memory (one replica).");
        }

        if (_redis.Database is not { } database || !_redis.IsConnected)
        {
            return Unreachable();
        }

        try
        {
            await database.PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("Rate limits are shared through Redis.");
        }
        catch (Exception exception) when (exception is StackExchange.Redis.RedisException or TimeoutException)
        {
            return Unreachable();
        }
    }

    private static HealthCheckResult Unreachable() =>
        HealthCheckResult.Degraded("The Redis rate-limit store is unreachable: limits are enforced per replica until it is back.");
}
