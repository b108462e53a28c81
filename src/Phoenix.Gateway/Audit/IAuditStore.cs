namespace Phoenix.Gateway.Audit;

/// <summary>
/// The audit trail, append-only. <see cref="AcceptedAsync"/> is written before a run is forwarded and returns once the
/// row is committed (it survives a crash of the gateway); <see cref="FinishedAsync"/> is written before the run's
/// response is sent and returns once the row is durable on disk, which makes the run's accepted row durable too: a
/// run waits for one flush to disk, and nothing acknowledged is lost, even by a power cut.
/// </summary>
internal interface IAuditStore
{
    Task AcceptedAsync(AuditRecord record, CancellationToken cancellationToken);

    Task FinishedAsync(AuditRecord record, CancellationToken cancellationToken);

    Task<AuditPageDto> QueryAsync(AuditQuery query, CancellationToken cancellationToken);

    Task<bool> PingAsync(CancellationToken cancellationToken);
}
