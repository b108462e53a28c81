using System.ComponentModel.DataAnnotations;

namespace Phoenix.Gateway.RateLimiting;

/// <summary>
/// Rate limiting and load shedding of the gateway (<c>Phoenix:Gateway:RateLimit</c>), a reloadable snapshot named
/// <see cref="SnapshotName"/>. <see cref="PermitsPerMinute"/> is read on every request, so a reload changes it within
/// the reload delay; the other settings are read once when the gateway starts.
/// </summary>
internal sealed record RateLimitingOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Phoenix:Gateway:RateLimit";

    /// <summary>The name of the reloadable snapshot (logs, health <c>configuration</c>).</summary>
    public const string SnapshotName = "rate-limit";

    /// <summary>The window every per-key limit is counted over: one minute (the <c>w</c> of <c>RateLimit-Policy</c>).</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Requests per minute per key when the key has no <c>phoenix:rate_limit</c> claim. Default 100; 1..1 000 000.</summary>
    [Range(1, 1_000_000)]
    public int PermitsPerMinute { get; init; } = 100;

    /// <summary>Segments of the in-memory sliding window (permits come back one segment at a time). Default 6 (10 s each); 1..60. Read at start.</summary>
    [Range(1, 60)]
    public int SegmentsPerWindow { get; init; } = 6;

    /// <summary>Runs the gateway forwards to executors at once, over all keys. Default 64; 1..10 000. Read at start.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrentRuns { get; init; } = 64;

    /// <summary>Runs that wait (oldest first) for a free slot before the gateway answers 503. Default 128; 0..100 000. Read at start.</summary>
    [Range(0, 100_000)]
    public int QueueLimit { get; init; } = 128;

    /// <summary>
    /// A StackExchange.Redis connection string (e.g. <c>redis:6379,password=…</c>). When set, per-key limits are
    /// counted in Redis and shared by every gateway replica; when empty (default), in this process. Read at start.
    /// </summary>
    public string? Redis { get; init; }

    /// <summary>Prefix of the Redis keys (one sorted set per key id). Default <c>phoenix:ratelimit:</c>. Read at start.</summary>
    [Required]
    [MinLength(1)]
    [MaxLength(100)]
    public string RedisKeyPrefix { get; init; } = "phoenix:ratelimit:";
}
