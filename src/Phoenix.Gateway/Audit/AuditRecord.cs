namespace Phoenix.Gateway.Audit;

/// <summary>One run as the audit trail knows it. <see cref="Status"/> is <c>accepted</c> until the run's finish is recorded.</summary>
internal sealed record AuditRecord
{
    public required string RunId { get; init; }

    public required DateTimeOffset AcceptedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public required string KeyId { get; init; }

    public required string Command { get; init; }

    /// <summary>SHA-256 (hex) of the arguments as JSON: proves what ran without storing it.</summary>
    public required string ArgsDigest { get; init; }

    /// <summary>The requested limits as JSON.</summary>
    public required string Limits { get; init; }

    public required string Status { get; init; }

    public int? ExitCode { get; init; }

    public long? WallMs { get; init; }

    public long? CpuMs { get; init; }

    public long? PeakMemoryBytes { get; init; }

    public string? Executor { get; init; }

    public required string TraceId { get; init; }

    public string? ClientAddress { get; init; }
}
