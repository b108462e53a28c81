
namespace Phoenix.Gateway.RateLimiting;

internal sealed partial class RedisRateLimitStore
{
    [LoggerMessage(EventId = 4201, EventName = "RateLimitStoreUnavailable", Level = LogLevel.Warning,
        Message = "The Redis rate-limit store is unreachable ({Reason}): limits are enforced per replica, in memory, until it is back")]
    private static partial void LogStoreUnavailable(ILogger logger, string reason, Exception? exception);

    [LoggerMessage(EventId = 4202, EventName = "RateLimitStoreRestored", Level = LogLevel.Information,
        Message = "The Redis rate-limit store is reachable again: limits are shared by the replicas")]
    private static partial void LogStoreRestored(ILogger logger);
}
