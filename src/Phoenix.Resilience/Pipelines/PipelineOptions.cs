namespace Phoenix.Resilience.Pipelines;

/// <summary>
/// One named pipeline. Each strategy is optional; present ones are applied from the outside in:
/// bulkhead → retry → circuit breaker → timeout (per attempt). A fallback is typed and so is added in
/// code (see <c>Phoenix.Resilience.Fallbacks</c>), outside all of these.
/// </summary>
public sealed record PipelineOptions
{
    /// <summary>Concurrency limiter; absent means unlimited.</summary>
    public BulkheadOptions? Bulkhead { get; init; }

    /// <summary>Retry with exponential backoff and jitter; absent means no retry.</summary>
    public RetryOptions? Retry { get; init; }

    /// <summary>Circuit breaker; absent means none.</summary>
    public CircuitBreakerOptions? CircuitBreaker { get; init; }

    /// <summary>Timeout of each attempt; absent means none.</summary>
    public TimeoutOptions? Timeout { get; init; }
}
