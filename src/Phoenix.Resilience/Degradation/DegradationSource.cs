namespace Phoenix.Resilience.Degradation;

/// <summary>What put the service in (or out of) degraded mode.</summary>
public enum DegradationSource
{
    /// <summary>Not degraded.</summary>
    None,

    /// <summary>An operator or a component called <see cref="IDegradedMode.Enter"/>; wins over signals until <see cref="IDegradedMode.Exit"/>.</summary>
    Manual,

    /// <summary>One or more <see cref="IDegradationSignal"/>s reported degraded.</summary>
    Automatic,
}
