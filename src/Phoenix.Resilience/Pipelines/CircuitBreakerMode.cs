namespace Phoenix.Resilience.Pipelines;

/// <summary>What opens a circuit.</summary>
public enum CircuitBreakerMode
{
    /// <summary>Polly's breaker: the share of handled failures within the sampling duration reaches <see cref="CircuitBreakerOptions.FailureRatio"/>.</summary>
    FailureRatio,

    /// <summary><see cref="CircuitBreakerOptions.ConsecutiveFailures"/> handled failures in a row.</summary>
    ConsecutiveFailures,

    /// <summary>
    /// The share of calls slower than <see cref="CircuitBreakerOptions.SlowCallDuration"/> within the sampling
    /// duration reaches <see cref="CircuitBreakerOptions.SlowCallRatio"/>, or the failure share reaches
    /// <see cref="CircuitBreakerOptions.FailureRatio"/> (as resilience4j does).
    /// </summary>
    SlowCallRate,
}
