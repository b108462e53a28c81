using System.ComponentModel.DataAnnotations;
using Phoenix.Resilience.Pipelines;

namespace Phoenix.Gateway.Forwarding;

/// <summary>The executor pool (<c>Phoenix:Gateway:Forwarding</c>). Read at start.</summary>
public sealed record ForwardingOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Phoenix:Gateway:Forwarding";

    /// <summary>The executors; null means one at <c>http://127.0.0.1:50061</c> named <c>executor-0</c>.</summary>
    public ExecutorEndpointOptions[]? Executors { get; init; }

    /// <summary>Discover executors through DNS instead of <see cref="Executors"/> (e.g. a Kubernetes headless service).</summary>
    public ExecutorDnsOptions? Dns { get; init; }

    /// <summary>TLS towards executors (used for https addresses).</summary>
    public ExecutorTlsOptions? Tls { get; init; }

    /// <summary>Run timeout assumed when a request does not set one (the executor policy's default). Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan DefaultRunTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Added to the run's timeout to make the gRPC deadline (queueing, start-up, transfer). Default 35 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DeadlineMargin { get; init; } = TimeSpan.FromSeconds(35);

    /// <summary>How often each executor's gRPC health is checked. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:10:00")]
    public TimeSpan HealthInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Per-executor circuit breaker. Default: opens after 3 consecutive transport failures, for 10 s.</summary>
    [Required]
    public CircuitBreakerOptions CircuitBreaker { get; init; } = new()
    {
        Mode = CircuitBreakerMode.ConsecutiveFailures, ConsecutiveFailures = 3, BreakDuration = TimeSpan.FromSeconds(10),
    };

    /// <summary>The executors in force.</summary>
    internal IReadOnlyList<ExecutorEndpointOptions> ExecutorsOrDefault =>
        Executors is { Length: > 0 } configured ? configured : [new ExecutorEndpointOptions { Name = "executor-0", Address = "http://127.0.0.1:50061" }];
}
