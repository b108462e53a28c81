using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Phoenix.Gateway.Forwarding;

/// <summary>Readiness: unhealthy when no executor can take a run, degraded when some cannot.</summary>
internal sealed class ExecutorsHealthCheck(ExecutorPool pool) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var up = pool.Endpoints.Count(e => e.Available);
        var result = up == 0
            ? HealthCheckResult.Unhealthy("no executor is available")
            : up < pool.Endpoints.Count
                ? HealthCheckResult.Degraded($"{up} of {pool.Endpoints.Count} executors available")
                : HealthCheckResult.Healthy($"{up} executor(s) available");
        return Task.FromResult(result);
    }
}
