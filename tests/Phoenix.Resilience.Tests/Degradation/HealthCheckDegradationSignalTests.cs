using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using Phoenix.Resilience.Degradation;

namespace Phoenix.Resilience.Tests.Degradation;

public sealed class HealthCheckDegradationSignalTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ScriptedHealthCheck _check = new();

    [Theory]
    [InlineData(HealthStatus.Healthy, false)]
    [InlineData(HealthStatus.Degraded, true)]
    [InlineData(HealthStatus.Unhealthy, true)]
    public async Task RefreshAsync_CheckStatus_MapsToIsDegraded(HealthStatus status, bool expected)
    {
        using var signal = new HealthCheckDegradationSignal("db", _check, _time);
        _check.Status = status;

        var degraded = await signal.RefreshAsync();

        Assert.Equal(expected, degraded);
        Assert.Equal(expected, signal.IsDegraded);
    }

    [Fact]
    public async Task RefreshAsync_ThresholdUnhealthy_IgnoresDegradedResults()
    {
        using var signal = new HealthCheckDegradationSignal("db", _check, _time, degradedAt: HealthStatus.Unhealthy);
        _check.Status = HealthStatus.Degraded;

        Assert.False(await signal.RefreshAsync());
    }

    [Fact]
    public async Task RefreshAsync_CheckThrows_IsDegraded()
    {
        using var signal = new HealthCheckDegradationSignal("db", _check, _time);
        _check.Throw = true;

        Assert.True(await signal.RefreshAsync());
        Assert.Equal(HealthStatus.Unhealthy, signal.LastResult?.Status);
    }

    [Fact]
    public void Timer_IntervalElapsed_RunsCheckAgain()
    {
        _check.Status = HealthStatus.Healthy;
        using var signal = new HealthCheckDegradationSignal("db", _check, _time, TimeSpan.FromSeconds(10));
        var initially = signal.IsDegraded;
        _check.Status = HealthStatus.Unhealthy;

        _time.Advance(TimeSpan.FromSeconds(9));
        var beforeInterval = signal.IsDegraded;
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(initially);
        Assert.False(beforeInterval);
        Assert.True(signal.IsDegraded);
        Assert.Equal(2, _check.Calls);
    }

    [Fact]
    public void Ctor_HealthyThreshold_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new HealthCheckDegradationSignal("db", _check, _time, degradedAt: HealthStatus.Healthy));

    private sealed class ScriptedHealthCheck : IHealthCheck
    {
        private int _calls;

        public HealthStatus Status { get; set; } = HealthStatus.Healthy;

        public bool Throw { get; set; }

        public int Calls => Volatile.Read(ref _calls);

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return Throw
                ? throw new InvalidOperationException("check failed")
                : Task.FromResult(new HealthCheckResult(Status, "scripted"));
        }
    }
}
