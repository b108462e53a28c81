using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Phoenix.Resilience.Supervision;

using Phoenix.Resilience.Tests.Support;

namespace Phoenix.Resilience.Tests.Supervision;

public sealed class SupervisorHealthCheckTests : IAsyncLifetime
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);
    private readonly TimerTrackingTimeProvider _time = new();
    private WorkerSupervisor? _supervisor;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_supervisor is not null)
        {
            await _supervisor.StopAsync(new CancellationToken(canceled: true));
            _supervisor.Dispose();
        }
    }

    [Fact]
    public async Task CheckHealthAsync_NoWorkerFailedOrInBackoff_ReturnsHealthyWithEachWorker()
    {
        var steady = ScriptedWorker.UntilCancelled("steady");
        var oneShot = new ScriptedWorker("one-shot", (_, _) => Task.CompletedTask);
        var supervisor = Create(new SupervisorOptions(), steady, oneShot);
        await supervisor.StartAsync(CancellationToken.None);
        await steady.WaitForStartAsync();
        await oneShot.WaitForStartAsync();
        await supervisor.StopAsync(CancellationToken.None).WaitAsync(Guard);

        var result = await new SupervisorHealthCheck(supervisor).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(2, result.Data.Count);
        Assert.Equal(SupervisedWorkerState.Stopped, Assert.IsType<SupervisedWorkerStatus>(result.Data["steady"]).State);
        Assert.IsType<SupervisedWorkerStatus>(result.Data["one-shot"]);
    }

    [Fact]
    public async Task CheckHealthAsync_WorkerInBackoff_ReturnsDegraded()
    {
        var worker = ScriptedWorker.Crashing("crasher");
        var supervisor = Create(new SupervisorOptions(), worker);
        await supervisor.StartAsync(CancellationToken.None);
        await worker.WaitForStartAsync();
        await _time.WaitForTimerAsync();

        var result = await new SupervisorHealthCheck(supervisor).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains("crasher", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealthAsync_CrashLoop_ReturnsUnhealthyWithStateRestartsAndLastError()
    {
        var crasher = ScriptedWorker.Crashing("crasher");
        var supervisor = Create(new SupervisorOptions { CrashLoopThreshold = 2 }, crasher);
        await supervisor.StartAsync(CancellationToken.None);
        await crasher.WaitForStartAsync();
        await _time.WaitForTimerAsync();
        _time.Advance(TimeSpan.FromSeconds(1));
        await supervisor.Completion.WaitAsync(Guard);

        var result = await new SupervisorHealthCheck(supervisor).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("crasher", result.Description, StringComparison.Ordinal);
        var failed = Assert.IsType<SupervisedWorkerStatus>(result.Data["crasher"]);
        Assert.Equal(SupervisedWorkerState.Failed, failed.State);
        Assert.Equal(1, failed.RestartCount);
        Assert.StartsWith("InvalidOperationException: boom", failed.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain("/srv/secret", failed.LastError, StringComparison.Ordinal);
    }

    private WorkerSupervisor Create(SupervisorOptions options, params ISupervisedWorker[] workers)
    {
        _supervisor = new WorkerSupervisor(workers, Options.Create(options), _time, NullLoggerFactory.Instance);
        return _supervisor;
    }
}
