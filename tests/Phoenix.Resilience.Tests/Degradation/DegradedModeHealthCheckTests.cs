using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Phoenix.Resilience.Degradation;

namespace Phoenix.Resilience.Tests.Degradation;

public sealed class DegradedModeHealthCheckTests : IDisposable
{
    private readonly DegradedMode _mode = new([], Options.Create(new DegradedModeOptions()), new FakeTimeProvider(), NullLoggerFactory.Instance);

    public void Dispose() => _mode.Dispose();

    [Fact]
    public async Task CheckHealthAsync_NotDegraded_ReturnsHealthy()
    {
        var result = await new DegradedModeHealthCheck(_mode).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public async Task CheckHealthAsync_Degraded_ReturnsDegradedWithReason()
    {
        _mode.Enter("database failover");

        var result = await new DegradedModeHealthCheck(_mode).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains("database failover", result.Description, StringComparison.Ordinal);
        Assert.Equal("database failover", result.Data["reason"]);
        Assert.Equal("Manual", result.Data["source"]);
    }
}
