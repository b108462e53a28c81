using System.ComponentModel.DataAnnotations;

namespace Phoenix.Resilience.Pipelines;

/// <summary>Concurrency limiter used as the bulkhead: excess calls wait in a bounded queue, then are rejected.</summary>
public sealed record BulkheadOptions
{
    /// <summary>Calls running at once. Default 10; 1..100000.</summary>
    [Range(1, 100_000)]
    public int MaxConcurrency { get; init; } = 10;

    /// <summary>Calls allowed to wait for a slot; beyond that a call is rejected at once. Default 0; 0..100000.</summary>
    [Range(0, 100_000)]
    public int QueueLimit { get; init; }
}
