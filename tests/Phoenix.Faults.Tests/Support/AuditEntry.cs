namespace Phoenix.Faults.Tests.Support;

/// <summary>One run as <c>GET /api/v1/audit</c> reports it.</summary>
internal sealed record AuditEntry(string RunId, string Status, string? Executor, string TraceId, string KeyId)
{
    /// <summary>The run ended with a result from an executor (not <c>accepted</c>, <c>rejected</c> or <c>unknown</c>).</summary>
    public bool Executed => Status is not ("accepted" or "rejected" or "unknown");
}
