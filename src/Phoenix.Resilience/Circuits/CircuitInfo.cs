using Polly.CircuitBreaker;
using Phoenix.Resilience.Pipelines;

namespace Phoenix.Resilience.Circuits;

/// <summary>What the registry knows of one circuit at one moment.</summary>
/// <param name="Name">The circuit's name (the pipeline's, or the one given in code).</param>
/// <param name="Mode">What opens it.</param>
/// <param name="State">Its state.</param>
/// <param name="FailureRatio">Share of failed calls within its sampling window (0 when no calls).</param>
/// <param name="SlowCallRatio">Share of slow calls within its sampling window (0 unless <see cref="CircuitBreakerMode.SlowCallRate"/>).</param>
/// <param name="Calls">Calls counted in the sampling window.</param>
/// <param name="LastTransition">When the state last changed (registration time if never).</param>
public sealed record CircuitInfo(
    string Name,
    CircuitBreakerMode Mode,
    CircuitState State,
    double FailureRatio,
    double SlowCallRatio,
    int Calls,
    DateTimeOffset LastTransition);
