namespace Phoenix.Hosting.Health;

/// <summary>Tags that decide which probe runs a health check.</summary>
/// <remarks>
/// <c>/healthz</c> (liveness) runs only checks tagged <see cref="Live"/>.
/// <c>/readyz</c> (readiness) runs every check except those tagged <see cref="Live"/> alone: checks tagged
/// <see cref="Ready"/>, untagged checks, and checks tagged both. A check is thus never silently left out of
/// readiness because someone else tagged theirs <see cref="Ready"/>.
/// </remarks>
public static class HealthCheckTags
{
    /// <summary>The process is alive; failing means "restart me". Keep these cheap and dependency-free.</summary>
    public const string Live = "live";

    /// <summary>The service can take traffic; failing means "stop sending me requests".</summary>
    public const string Ready = "ready";
}
