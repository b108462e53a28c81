using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Phoenix.Resilience.Sanitization;

namespace Phoenix.Hosting.Configuration;

/// <summary>
/// Healthy while every reloadable snapshot runs on its latest configuration; Degraded while any has a rejected
/// reload (the last good configuration is still in force), naming the source and its errors, sanitized.
/// Unhealthy only when a snapshot cannot be created at all (never after a successful start).
/// </summary>
internal sealed class ConfigurationHealthCheck(
    IServiceProvider services,
    IEnumerable<ReloadableSourceRegistration> registrations) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var rejected = new List<string>();
        var invalid = new List<string>();
        var count = 0;
        foreach (var registration in registrations)
        {
            count++;
            try
            {
                if (registration.GetLastRejection(services) is { } rejection)
                {
                    rejected.Add($"{rejection.Source} rejected at {rejection.At:O}: {string.Join("; ", rejection.Errors)}");
                }
            }
            catch (OptionsValidationException ex)
            {
                invalid.Add($"{registration.Name} invalid: {string.Join("; ", ex.Failures)}");
            }
        }

        if (invalid.Count > 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(
                MessageSanitizer.Sanitize("Configuration not valid: " + string.Join(" | ", invalid.Concat(rejected)))));
        }

        return Task.FromResult(rejected.Count == 0
            ? HealthCheckResult.Healthy($"{count} reloadable configuration source(s) in force.")
            : HealthCheckResult.Degraded(MessageSanitizer.Sanitize(
                "Reload rejected, last good configuration in force: " + string.Join(" | ", rejected))));
    }
}
