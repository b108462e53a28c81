using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Phoenix.Resilience.Degradation;

/// <summary>Reports <see cref="HealthStatus.Degraded"/>, with the reason, while the service is in degraded mode.</summary>
internal sealed class DegradedModeHealthCheck : IHealthCheck
{
    private readonly IDegradedMode _degradedMode;

    public DegradedModeHealthCheck(IDegradedMode degradedMode) =>
        _degradedMode = degradedMode ?? throw new ArgumentNullException(nameof(degradedMode));

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = _degradedMode.State;
        if (!state.IsDegraded)
        {
            return Task.FromResult(HealthCheckResult.Healthy("Not in degraded mode."));
        }

        var data = new Dictionary<string, object>
        {
            ["source"] = state.Source.ToString(),
            ["since"] = state.Since.ToString("O", CultureInfo.InvariantCulture),
            ["reason"] = state.Reason ?? string.Empty,
        };
        return Task.FromResult(HealthCheckResult.Degraded($"Degraded mode ({state.Source}): {state.Reason}", data: data));
    }
}
