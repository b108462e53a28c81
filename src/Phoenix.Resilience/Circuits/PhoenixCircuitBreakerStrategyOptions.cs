using System.ComponentModel.DataAnnotations;
using Polly;
using Phoenix.Resilience.Pipelines;

namespace Phoenix.Resilience.Circuits;

/// <summary>Options of <see cref="CircuitBreakerBuilderExtensions.AddPhoenixCircuitBreaker"/>.</summary>
public sealed class PhoenixCircuitBreakerStrategyOptions : ResilienceStrategyOptions
{
    /// <summary>Creates options with the default name <c>PhoenixCircuitBreaker</c>.</summary>
    public PhoenixCircuitBreakerStrategyOptions() => Name = "PhoenixCircuitBreaker";

    /// <summary>The circuit's name in the <see cref="Registry"/>. Required.</summary>
    [Required]
    public string CircuitName { get; set; } = string.Empty;

    /// <summary>Mode and thresholds. Default: <see cref="CircuitBreakerOptions"/>'s defaults.</summary>
    [Required]
    public CircuitBreakerOptions Settings { get; set; } = new();

    /// <summary>Which exceptions count as failures. Default: all but <see cref="OperationCanceledException"/>. Results never count.</summary>
    [Required]
    public Func<Exception, bool> ShouldHandle { get; set; } = static ex => ex is not OperationCanceledException;

    /// <summary>Where the circuit is registered. Required.</summary>
    [Required]
    public CircuitRegistry? Registry { get; set; }
}
