using Microsoft.Extensions.Logging;

namespace Phoenix.Resilience.Security;

/// <summary>
/// Stable ids of security events, logged in the <see cref="Category"/> category by every Phoenix
/// service. Ids are published (alerts and dashboards select on them): never renumber, only add.
/// </summary>
public static class SecurityEventIds
{
    /// <summary>The log category of every security event.</summary>
    public const string Category = "Phoenix.Security";

    /// <summary>Credentials missing or not valid.</summary>
    public static readonly EventId AuthenticationFailed = new(5001, nameof(AuthenticationFailed));

    /// <summary>Valid credentials lacking a permission.</summary>
    public static readonly EventId AuthorizationDenied = new(5002, nameof(AuthorizationDenied));

    /// <summary>A command or argument refused by the executor policy.</summary>
    public static readonly EventId PolicyViolation = new(5003, nameof(PolicyViolation));

    /// <summary>A caller hit its rate limit.</summary>
    public static readonly EventId RateLimited = new(5004, nameof(RateLimited));

    /// <summary>A sandboxed run hit a limit (time, memory, processes, output).</summary>
    public static readonly EventId SandboxLimitBreached = new(5005, nameof(SandboxLimitBreached));

    /// <summary>The sandbox failed to start or to clean up.</summary>
    public static readonly EventId SandboxFailure = new(5006, nameof(SandboxFailure));

    /// <summary>A configuration reload failed validation and was rejected; the last good one stays.</summary>
    public static readonly EventId ConfigurationRejected = new(5007, nameof(ConfigurationRejected));

    /// <summary>A configuration reload was validated and applied.</summary>
    public static readonly EventId ConfigurationApplied = new(5008, nameof(ConfigurationApplied));

    /// <summary>A run executed without a sandbox (development mode only).</summary>
    public static readonly EventId UnsandboxedRun = new(5009, nameof(UnsandboxedRun));

    /// <summary>A circuit breaker opened.</summary>
    public static readonly EventId CircuitOpened = new(5010, nameof(CircuitOpened));

    /// <summary>The service entered or left degraded mode.</summary>
    public static readonly EventId DegradedModeChanged = new(5011, nameof(DegradedModeChanged));

    /// <summary>A supervised worker crashed repeatedly and was stopped.</summary>
    public static readonly EventId CrashLoopDetected = new(5012, nameof(CrashLoopDetected));
}
