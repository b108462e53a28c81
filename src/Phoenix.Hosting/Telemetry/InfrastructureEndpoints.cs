using Microsoft.AspNetCore.Http;

namespace Phoenix.Hosting.Telemetry;

/// <summary>Paths of the probe and scrape endpoints (and of the standard gRPC health service): served by every service, never traced.</summary>
internal static class InfrastructureEndpoints
{
    /// <summary>Liveness probe.</summary>
    public const string Liveness = "/healthz";

    /// <summary>Readiness probe.</summary>
    public const string Readiness = "/readyz";

    /// <summary>The gateway's dependency health summary.</summary>
    public const string Health = "/health";

    /// <summary>Prometheus scrape endpoint.</summary>
    public const string Metrics = "/metrics";

    /// <summary>The standard gRPC health service (<c>grpc.health.v1.Health</c>: <c>Check</c>, <c>Watch</c>).</summary>
    public const string GrpcHealth = "/grpc.health.v1.Health";

    /// <summary>Whether <paramref name="path"/> is (under) a probe or scrape endpoint, or a call of the gRPC health service.</summary>
    public static bool IsInfrastructure(PathString path) =>
        path.StartsWithSegments(Liveness, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(Readiness, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(Health, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(Metrics, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(GrpcHealth, StringComparison.Ordinal);
}
