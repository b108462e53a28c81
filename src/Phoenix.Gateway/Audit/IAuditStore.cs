namespace Phoenix.Gateway.Audit;

/// <summary>
/// The audit trail: append-only, durable before it returns. <see cref="AcceptedAsync"/> is written before
/// a run is forwarded and <see cref="FinishedAsync"/> before its response is sent.
/// </summary>
internal interface IAuditStore
{
    Task AcceptedAsync(AuditRecord record, CancellationToken cancellationToken);

    Task FinishedAsync(AuditRecord record, CancellationToken cancellationToken);

    Task<AuditPageDto> QueryAsync(AuditQuery query, CancellationToken cancellationToken);

    Task<bool> PingAsync(CancellationToken cancellationToken);
}
