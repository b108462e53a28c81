namespace Phoenix.Gateway.Audit;

/// <summary>
/// Migrates the PostgreSQL audit schema when the gateway starts, so that an unreachable or misconfigured database
/// stops the start (and the orchestrator retries) rather than the first run. Does nothing for another store.
/// </summary>
internal sealed class PostgresAuditStartup(IAuditStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        store is PostgresAuditStore postgres ? postgres.EnsureSchemaAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
