using Polly.CircuitBreaker;

namespace Phoenix.Resilience.Circuits;

/// <summary>A circuit moved from one state to another.</summary>
/// <param name="Name">The circuit.</param>
/// <param name="From">Its previous state.</param>
/// <param name="To">Its new state.</param>
/// <param name="At">When.</param>
public sealed record CircuitStateChange(string Name, CircuitState From, CircuitState To, DateTimeOffset At);
