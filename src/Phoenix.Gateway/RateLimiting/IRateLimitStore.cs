namespace Phoenix.Gateway.RateLimiting;

/// <summary>Counts requests per key id over a sliding one-minute window (<see cref="RateLimitingOptions.Window"/>).</summary>
/// <remarks>Implementations: <see cref="InMemoryRateLimitStore"/> (one process) and <see cref="RedisRateLimitStore"/> (shared by replicas).</remarks>
internal interface IRateLimitStore
{
    /// <summary>Takes one permit for <paramref name="keyId"/> if its window has one left.</summary>
    /// <param name="keyId">The caller's key id (the partition).</param>
    /// <param name="permitsPerMinute">The caller's limit.</param>
    /// <param name="cancellationToken">Cancels the wait for a remote store.</param>
    ValueTask<RateLimitDecision> AcquireAsync(string keyId, int permitsPerMinute, CancellationToken cancellationToken);
}
