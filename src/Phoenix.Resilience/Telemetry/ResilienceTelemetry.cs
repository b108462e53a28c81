using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Phoenix.Resilience.Telemetry;

/// <summary>The single <see cref="ActivitySource"/> and meter name of Phoenix.Resilience.</summary>
public static class ResilienceTelemetry
{
    /// <summary>Name of the activity source and meter: <c>Phoenix.Resilience</c>.</summary>
    public const string Name = "Phoenix.Resilience";

    /// <summary>The activity source for resilience spans.</summary>
    public static readonly ActivitySource ActivitySource = new(Name);

    /// <summary>Creates this library's meter through <paramref name="factory"/> (so tests can observe it), or a standalone one.</summary>
    public static Meter CreateMeter(IMeterFactory? factory) =>
        factory?.Create(Name) ?? new Meter(Name);
}
