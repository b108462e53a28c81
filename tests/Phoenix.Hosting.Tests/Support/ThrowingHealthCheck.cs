using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Phoenix.Hosting.Tests.Support;

/// <summary>A health check that throws, with a message that must never reach a response.</summary>
internal sealed class ThrowingHealthCheck(string message) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException(message);
}
