using System.ComponentModel.DataAnnotations;

namespace Phoenix.Executor.Runs;

/// <summary>The executor service (<c>Phoenix:Executor</c>). Read at start.</summary>
public sealed record ExecutorOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Phoenix:Executor";

    /// <summary>Name reported in results and vitals. Default <c>executor-0</c>.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$")]
    public string Name { get; init; } = "executor-0";

    /// <summary>gRPC address (HTTP/2; h2c unless a certificate is set). Default <c>http://127.0.0.1:50061</c>.</summary>
    [Required]
    public string Listen { get; init; } = "http://127.0.0.1:50061";

    /// <summary>Health and metrics address (HTTP/1.1), for probes and Prometheus. Default <c>http://127.0.0.1:9461</c>; empty turns it off.</summary>
    public string? MetricsListen { get; init; } = "http://127.0.0.1:9461";

    /// <summary>Runs at once. Default: the number of cores; 1..1024.</summary>
    [Range(1, 1024)]
    public int MaxConcurrentRuns { get; init; } = Environment.ProcessorCount;

    /// <summary>Runs waiting for a slot; beyond that a request is refused at once (RESOURCE_EXHAUSTED). Default 2 × cores; 0..100 000.</summary>
    [Range(0, 100_000)]
    public int QueueLength { get; init; } = 2 * Environment.ProcessorCount;

    /// <summary>How long a run may wait for a slot. Default 30 s; 1 ms..10 min.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan QueueTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>On shutdown, how long in-flight runs may finish before they are killed. Default 20 s; 0..10 min.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ShutdownDeadline { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>TLS for the gRPC endpoint; absent means h2c (loopback only).</summary>
    public TlsOptions? Tls { get; init; }
}
