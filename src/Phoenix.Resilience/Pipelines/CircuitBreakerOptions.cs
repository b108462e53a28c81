using System.ComponentModel.DataAnnotations;

namespace Phoenix.Resilience.Pipelines;

/// <summary>Circuit breaker settings. Which ones apply depends on <see cref="Mode"/>.</summary>
public sealed record CircuitBreakerOptions
{
    /// <summary>What opens the circuit. Default <see cref="CircuitBreakerMode.FailureRatio"/>.</summary>
    public CircuitBreakerMode Mode { get; init; } = CircuitBreakerMode.FailureRatio;

    /// <summary>Failure share that opens the circuit (FailureRatio, SlowCallRate). Default 0.5; 0.01..1.</summary>
    [Range(0.01, 1.0)]
    public double FailureRatio { get; init; } = 0.5;

    /// <summary>Calls needed in the sampling duration before a ratio is judged (FailureRatio, SlowCallRate). Default 10; 2..100000.</summary>
    [Range(2, 100_000)]
    public int MinimumThroughput { get; init; } = 10;

    /// <summary>The window over which ratios are computed. Default 30 s; 500 ms..1 h.</summary>
    [Range(typeof(TimeSpan), "00:00:00.5", "01:00:00")]
    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open before one probe call is let through. Default 5 s; 500 ms..1 h.</summary>
    [Range(typeof(TimeSpan), "00:00:00.5", "01:00:00")]
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Failures in a row that open the circuit (ConsecutiveFailures). Default 5; 1..10000.</summary>
    [Range(1, 10_000)]
    public int ConsecutiveFailures { get; init; } = 5;

    /// <summary>A call at least this long counts as slow (SlowCallRate). Default 2 s; 1 ms..1 h.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan SlowCallDuration { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Slow-call share that opens the circuit (SlowCallRate). Default 0.5; 0.01..1.</summary>
    [Range(0.01, 1.0)]
    public double SlowCallRatio { get; init; } = 0.5;
}
