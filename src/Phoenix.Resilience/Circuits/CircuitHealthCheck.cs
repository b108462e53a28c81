using Microsoft.Extensions.Diagnostics.HealthChecks;
using Polly.CircuitBreaker;

namespace Phoenix.Resilience.Circuits;

/// <summary>Healthy while every circuit is closed; Degraded while any is open, half-open or isolated, naming them.</summary>
public sealed class CircuitHealthCheck(CircuitRegistry registry) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var circuits = registry.Snapshot();
        var data = circuits.ToDictionary(c => c.Name, c => (object)CircuitRegistry.StateName(c.State), StringComparer.OrdinalIgnoreCase);
        var notClosed = circuits.Where(c => c.State != CircuitState.Closed).Select(c => c.Name).ToArray();
        return Task.FromResult(notClosed.Length == 0
            ? HealthCheckResult.Healthy($"{circuits.Count} circuit(s) closed", data)
            : HealthCheckResult.Degraded($"not closed: {string.Join(", ", notClosed)}", data: data));
    }
}
