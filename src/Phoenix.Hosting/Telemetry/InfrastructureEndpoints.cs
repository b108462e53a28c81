using Microsoft.AspNetCore.Http;

namespace Phoenix.Hosting.Telemetry;

/// <summary>Paths of the probe and scrape endpoints: served by every service, never traced.</summary>
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

    /// <summary>Whether <paramref name="path"/> is (under) a probe or scrape endpoint.</summary>
    public static bool IsInfrastructure(PathString path) =>
        path.StartsWithSegments(Liveness, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(Readiness, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(Health, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(Metrics, StringComparison.OrdinalIgnoreCase);
}
