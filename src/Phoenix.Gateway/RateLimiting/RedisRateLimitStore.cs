using Phoenix.Resilience.Configuration;
using StackExchange.Redis;

namespace Phoenix.Gateway.RateLimiting;

/// <summary>
/// Per-key limits counted in Redis, shared by every gateway replica: an exact sliding log, one sorted set per key id
/// (member per admitted request, scored by Redis time in milliseconds), updated atomically by one Lua script.
/// </summary>
/// <remarks>
/// <para>Redis' own clock (<c>TIME</c>) stamps every request, so replicas with skewed clocks still agree.</para>
/// <para>
/// When Redis is unreachable the store neither fails open nor closed: it falls back to
/// <see cref="InMemoryRateLimitStore"/>, so each replica still enforces every key's limit on its own (a caller can get
/// up to limit × replicas per minute in total) and the API stays up; the <c>rate-limit-store</c> health check reports
/// Degraded meanwhile. Counts made during the outage are not copied back to Redis.
/// </para>
/// </remarks>
internal sealed partial class RedisRateLimitStore : IRateLimitStore
{
    // KEYS[1] the key's sorted set; ARGV[1] limit, ARGV[2] window in ms, ARGV[3] a unique member.
    // Returns {allowed (0|1), remaining, milliseconds until the oldest counted request leaves the window}.
    internal const string Script = """
        if redis.replicate_commands then redis.replicate_commands() end
        local key = KEYS[1]
        local limit = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
        local count = redis.call('ZCARD', key)
        local allowed = 0
        if count < limit then
          redis.call('ZADD', key, now, ARGV[3])
          count = count + 1
          allowed = 1
        end
        local reset = window
        local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
        if oldest[2] then reset = tonumber(oldest[2]) + window - now end
        redis.call('PEXPIRE', key, window)
        local remaining = limit - count
        if remaining < 0 then remaining = 0 end
        return {allowed, remaining, reset}
        """;

    private static readonly RedisValue WindowMilliseconds = (long)RateLimitingOptions.Window.TotalMilliseconds;

    private readonly RedisRateLimitConnection _connection;
    private readonly InMemoryRateLimitStore _fallback;
    private readonly ILogger _logger;
    private readonly string _prefix;
    private int _fallingBack;

    public RedisRateLimitStore(
        RedisRateLimitConnection connection,
        InMemoryRateLimitStore fallback,
        ReloadableSnapshot<RateLimitingOptions> options,
        ILogger<RedisRateLimitStore> logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(fallback);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _connection = connection;
        _fallback = fallback;
        _logger = logger;
        _prefix = options.Current.RedisKeyPrefix;
    }

    public async ValueTask<RateLimitDecision> AcquireAsync(string keyId, int permitsPerMinute, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        ArgumentOutOfRangeException.ThrowIfLessThan(permitsPerMinute, 1);
        if (_connection.Database is { } database && _connection.IsConnected)
        {
            try
            {
                var result = await database.ScriptEvaluateAsync(
                    Script,
                    [(RedisKey)(_prefix + keyId)],
                    [permitsPerMinute, WindowMilliseconds, Guid.NewGuid().ToString("N")])
                    .WaitAsync(cancellationToken).ConfigureAwait(false);
                var values = (RedisResult[])result!;
                if (Interlocked.Exchange(ref _fallingBack, 0) == 1)
                {
                    LogStoreRestored(_logger);
                }

                return new RateLimitDecision(
                    (long)values[0] == 1,
                    permitsPerMinute,
                    (int)(long)values[1],
                    TimeSpan.FromMilliseconds((long)values[2]));
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException or InvalidCastException)
            {
                EnterFallback(exception);
            }
        }
        else
        {
            EnterFallback(null);
        }

        return await _fallback.AcquireAsync(keyId, permitsPerMinute, cancellationToken).ConfigureAwait(false);
    }

    private void EnterFallback(Exception? exception)
    {
        if (Interlocked.Exchange(ref _fallingBack, 1) == 0)
        {
            LogStoreUnavailable(_logger, exception?.GetType().Name ?? "not connected", exception);
        }
    }
}
