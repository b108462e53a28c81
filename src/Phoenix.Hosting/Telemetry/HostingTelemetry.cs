using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Phoenix.Hosting.Telemetry;

/// <summary>The single <see cref="ActivitySource"/> and meter of Phoenix.Hosting, and its instrument names.</summary>
internal static class HostingTelemetry
{
    /// <summary>Name of the activity source and meter: <c>Phoenix.Hosting</c>.</summary>
    public const string Name = "Phoenix.Hosting";

    /// <summary>Counter of security events, tagged <see cref="EventTag"/>.</summary>
    public const string SecurityEvents = "phoenix.security.events";

    /// <summary>Tag naming the security event (its <see cref="Microsoft.Extensions.Logging.EventId.Name"/>).</summary>
    public const string EventTag = "event";

    /// <summary>Wildcard matching every Phoenix activity source and meter.</summary>
    public const string AllPhoenix = "Phoenix.*";

    /// <summary>The activity source for hosting spans.</summary>
    public static readonly ActivitySource ActivitySource = new(Name);

    /// <summary>Creates this library's meter through <paramref name="factory"/>, so each host (and test) observes its own.</summary>
    public static Meter CreateMeter(IMeterFactory factory) => factory.Create(Name);
}
