using Microsoft.Extensions.Diagnostics.HealthChecks;
using Phoenix.Gateway.Audit;
using Phoenix.Gateway.Forwarding;

namespace Phoenix.Gateway.Api;

/// <summary>
/// <c>GET /health</c>: <c>SERVING</c> when every dependency is fine, <c>DEGRADED</c> when some executors (or
/// another dependency) are down, <c>CRITICAL</c> when no executor can take a run (HTTP 503).
/// </summary>
internal static class HealthEndpoints
{
    public static async Task<IResult> HealthAsync(HttpContext context, ExecutorPool pool, IAuditStore audit, HealthCheckService checks)
    {
        var dependencies = pool.Endpoints
            .Select(e => new DependencyDto("executor:" + e.Name, e.Available ? "up" : "down", $"circuit {e.Circuit.ToString().ToLowerInvariant()}, {e.InFlight} in flight"))
            .ToList();
        var auditUp = await audit.PingAsync(context.RequestAborted);
        dependencies.Add(new DependencyDto("audit", auditUp ? "up" : "down", null));
        // Every readiness check but the executors' own (listed above): configuration, circuits, the rate-limit store.
        var report = await checks.CheckHealthAsync(r => r.Tags.Contains("ready") && r.Name != "executors", context.RequestAborted);
        dependencies.AddRange(report.Entries.Select(e => new DependencyDto(e.Key, e.Value.Status == HealthStatus.Healthy ? "up" : "down", null)));

        var executorsUp = pool.Endpoints.Count(e => e.Available);
        var status = executorsUp == 0 || !auditUp ? "CRITICAL" : dependencies.All(d => d.Status == "up") ? "SERVING" : "DEGRADED";
        return TypedResults.Json(new HealthResponseDto(status, dependencies), GatewayJsonContext.Default.HealthResponseDto,
            statusCode: status == "CRITICAL" ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }
}
