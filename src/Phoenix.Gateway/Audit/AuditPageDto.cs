namespace Phoenix.Gateway.Audit;

/// <summary>One page of audit records; <see cref="Next"/> is the cursor for the next (older) page.</summary>
internal sealed record AuditPageDto(IReadOnlyList<AuditRecord> Records, string? Next);
