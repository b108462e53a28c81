using System.ComponentModel.DataAnnotations;

namespace Phoenix.Hosting;

/// <summary>
/// Options shared by every Phoenix service, bound from the <see cref="SectionName"/> (<c>Phoenix</c>) section,
/// validated with DataAnnotations at start (an invalid value stops the host).
/// </summary>
public sealed class ServiceDefaultsOptions
{
    /// <summary>The configuration section: <c>Phoenix</c>.</summary>
    public const string SectionName = "Phoenix";

    /// <summary>Smallest accepted <see cref="ShutdownTimeoutSeconds"/>.</summary>
    public const int MinShutdownTimeoutSeconds = 1;

    /// <summary>Largest accepted <see cref="ShutdownTimeoutSeconds"/>.</summary>
    public const int MaxShutdownTimeoutSeconds = 600;

    /// <summary>
    /// The OpenTelemetry <c>service.name</c>. Default: <see langword="null"/>, meaning the application name
    /// (the entry assembly's name).
    /// </summary>
    [StringLength(128)]
    public string? ServiceName { get; set; }

    /// <summary>
    /// How long a graceful shutdown may take (in-flight requests and runs finish) before the host stops anyway,
    /// applied to <c>HostOptions.ShutdownTimeout</c>. Default 30; accepted 1 to 600.
    /// </summary>
    [Range(MinShutdownTimeoutSeconds, MaxShutdownTimeoutSeconds)]
    public int ShutdownTimeoutSeconds { get; set; } = 30;

    /// <summary>Console logging (<c>Phoenix:Logging</c>).</summary>
    public ServiceDefaultsLoggingOptions Logging { get; set; } = new();
}
