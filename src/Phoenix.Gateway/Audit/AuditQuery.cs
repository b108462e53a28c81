namespace Phoenix.Gateway.Audit;

/// <summary>Filters and paging of <c>GET /api/v1/audit</c>; newest first.</summary>
internal sealed record AuditQuery(string? KeyId, string? Status, DateTimeOffset? From, DateTimeOffset? To, int Limit, string? Before);
