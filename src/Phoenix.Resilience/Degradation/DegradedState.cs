namespace Phoenix.Resilience.Degradation;

/// <summary>An immutable view of degraded mode at one moment.</summary>
public sealed record DegradedState
{
    /// <summary>Whether the service is degraded: features should shed non-critical work.</summary>
    public required bool IsDegraded { get; init; }

    /// <summary>What caused the current state; <see cref="DegradationSource.None"/> when not degraded.</summary>
    public required DegradationSource Source { get; init; }

    /// <summary>Why the service is degraded (the manual reason, or the names of the degraded signals); <see langword="null"/> when not degraded.</summary>
    public string? Reason { get; init; }

    /// <summary>When the service entered this state (degraded or not); unchanged when only the reason or source changes while degraded.</summary>
    public required DateTimeOffset Since { get; init; }
}
