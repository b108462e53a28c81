using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Phoenix.Resilience.Supervision;

/// <summary>
/// Health of the supervised workers: Unhealthy when any worker failed (crash loop), Degraded when any
/// is in backoff, Healthy otherwise. The data holds one <see cref="SupervisedWorkerStatus"/> per worker
/// (state, restart count, sanitized last error), keyed by worker name.
/// </summary>
internal sealed class SupervisorHealthCheck : IHealthCheck
{
    private readonly WorkerSupervisor _supervisor;

    public SupervisorHealthCheck(WorkerSupervisor supervisor) =>
        _supervisor = supervisor ?? throw new ArgumentNullException(nameof(supervisor));

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var statuses = _supervisor.GetStatuses();
        var data = statuses.ToDictionary(s => s.Name, s => (object)s, StringComparer.Ordinal);
        var failed = Names(statuses, SupervisedWorkerState.Failed);
        var backoff = Names(statuses, SupervisedWorkerState.Backoff);
        var result = failed.Length > 0
            ? HealthCheckResult.Unhealthy($"Workers failed after a crash loop: {string.Join(", ", failed)}.", data: data)
            : backoff.Length > 0
                ? HealthCheckResult.Degraded($"Workers waiting to restart: {string.Join(", ", backoff)}.", data: data)
                : HealthCheckResult.Healthy($"{statuses.Count} worker(s) supervised.", data);
        return Task.FromResult(result);
    }

    private static string[] Names(IReadOnlyList<SupervisedWorkerStatus> statuses, SupervisedWorkerState state) =>
        [.. statuses.Where(s => s.State == state).Select(s => s.Name)];
}
