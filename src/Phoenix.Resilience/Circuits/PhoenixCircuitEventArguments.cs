using Polly.CircuitBreaker;

namespace Phoenix.Resilience.Circuits;

/// <summary>Telemetry arguments reported by Phoenix circuit breakers after each settled call.</summary>
/// <param name="CircuitName">The circuit.</param>
/// <param name="State">Its state after the call.</param>
public readonly record struct PhoenixCircuitEventArguments(string CircuitName, CircuitState State);
