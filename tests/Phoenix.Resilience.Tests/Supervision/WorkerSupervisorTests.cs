using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Phoenix.Resilience.Security;
using Phoenix.Resilience.Supervision;
using Phoenix.Resilience.Tests.Degradation;
using Phoenix.Resilience.Tests.Support;

namespace Phoenix.Resilience.Tests.Supervision;

public sealed class WorkerSupervisorTests : IAsyncLifetime
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);
    private readonly TimerTrackingTimeProvider _time = new();
    private readonly MeasurementRecorder _metrics = new();
    private readonly List<WorkerSupervisor> _created = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var supervisor in _created)
        {
            await supervisor.StopAsync(new CancellationToken(canceled: true));
            supervisor.Dispose();
        }

        _metrics.Dispose();
    }

    [Fact]
    public async Task StartAsync_WorkerCrashes_RestartsOnlyAfterEachIncreasingBackoffDelay()
    {
        var worker = ScriptedWorker.Crashing();
        var supervisor = Create([worker]);

        await supervisor.StartAsync(CancellationToken.None);
        await worker.WaitForStartAsync();

        foreach (var (delay, run) in new[] { (1, 2), (2, 3), (4, 4) })
        {
            await _time.WaitForTimerAsync();
            Assert.Equal(SupervisedWorkerState.Backoff, supervisor.GetStatuses()[0].State);

            _time.Advance(TimeSpan.FromSeconds(delay) - TimeSpan.FromMilliseconds(1));
            Assert.Equal(run - 1, worker.Runs);

            _time.Advance(TimeSpan.FromMilliseconds(1));
            await worker.WaitForStartAsync();
            Assert.Equal(run, worker.Runs);
        }
    }

    [Fact]
    public async Task StartAsync_BackoffReachesMaxDelay_StaysAtMaxDelay()
    {
        var worker = ScriptedWorker.Crashing();
        var supervisor = Create([worker], new SupervisorOptions { MaxDelay = TimeSpan.FromSeconds(3) });

        await supervisor.StartAsync(CancellationToken.None);
        await worker.WaitForStartAsync();
        foreach (var delay in new[] { 1, 2, 3, 3 })
        {
            await _time.WaitForTimerAsync();
            _time.Advance(TimeSpan.FromSeconds(delay) - TimeSpan.FromMilliseconds(1));
            var before = worker.Runs;
            _time.Advance(TimeSpan.FromMilliseconds(1));
            await worker.WaitForStartAsync();

            Assert.Equal(before + 1, worker.Runs);
        }
    }

    [Fact]
    public async Task StartAsync_CrashLoop_StopsRestartingAndMarksFailed()
    {
        var logs = new CapturingLoggerFactory();
        var worker = ScriptedWorker.Crashing();
        var supervisor = Create([worker], new SupervisorOptions { CrashLoopThreshold = 3 }, logs);

        await supervisor.StartAsync(CancellationToken.None);
        await worker.WaitForStartAsync();
        await _time.WaitForTimerAsync();
        _time.Advance(TimeSpan.FromSeconds(1));
        await worker.WaitForStartAsync();
        await _time.WaitForTimerAsync();
        _time.Advance(TimeSpan.FromSeconds(2));
        await worker.WaitForStartAsync();
        await supervisor.Completion.WaitAsync(Guard);
        _time.Advance(TimeSpan.FromMinutes(10));

        var status = Assert.Single(supervisor.GetStatuses());
        Assert.Equal(SupervisedWorkerState.Failed, status.State);
        Assert.Equal(2, status.RestartCount);
        Assert.Equal(3, worker.Runs);
        Assert.StartsWith("InvalidOperationException: boom", status.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain("/srv/secret", status.LastError, StringComparison.Ordinal);
        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromMinutes(10), status.LastErrorAt);
        var crashLoop = Assert.Single(logs.Entries, e => e.EventId.Id == SecurityEventIds.CrashLoopDetected.Id);
        Assert.Equal(SecurityEventIds.Category, crashLoop.Category);
        Assert.Equal(LogLevel.Error, crashLoop.Level);
    }

    [Fact]
    public async Task StartAsync_CrashesSpreadBeyondWindow_KeepsRestarting()
    {
        var worker = ScriptedWorker.Crashing();
        var supervisor = Create([worker], new SupervisorOptions
        {
            CrashLoopThreshold = 2,
            CrashLoopWindow = TimeSpan.FromSeconds(5),
            InitialDelay = TimeSpan.FromSeconds(10),
            MaxDelay = TimeSpan.FromSeconds(10),
        });

        await supervisor.StartAsync(CancellationToken.None);
        await worker.WaitForStartAsync();
        for (var i = 0; i < 3; i++)
        {
            await _time.WaitForTimerAsync();
            _time.Advance(TimeSpan.FromSeconds(10));
            await worker.WaitForStartAsync();
        }

        Assert.Equal(4, worker.Runs);
        Assert.NotEqual(SupervisedWorkerState.Failed, supervisor.GetStatuses()[0].State);
    }

    [Fact]
    public async Task StartAsync_CrashAfterLongRun_RestartsAtOnceWithFreshBackoff()
    {
        var firstRun = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var worker = new ScriptedWorker("long-runner", (run, _) => run == 1
            ? firstRun.Task
            : Task.FromException(new InvalidOperationException("boom")));
        var supervisor = Create([worker]);

        await supervisor.StartAsync(CancellationToken.None);
        await worker.WaitForStartAsync();
        _time.Advance(TimeSpan.FromMinutes(2));
        firstRun.SetException(new InvalidOperationException("crash after a long run"));
        await worker.WaitForStartAsync();
        await _time.WaitForTimerAsync();
        _time.Advance(TimeSpan.FromMilliseconds(999));
        var beforeDelay = worker.Runs;
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await worker.WaitForStartAsync();

        Assert.Equal(2, beforeDelay);
        Assert.Equal(3, worker.Runs);
    }

    [Fact]
    public async Task StartAsync_WorkerReturns_CompletedAndNotRestarted()
    {
        var worker = new ScriptedWorker("one-shot", (_, _) => Task.CompletedTask);
        var supervisor = Create([worker]);

        await supervisor.StartAsync(CancellationToken.None);
        await supervisor.Completion.WaitAsync(Guard);

        var status = Assert.Single(supervisor.GetStatuses());
        Assert.Equal(SupervisedWorkerState.Completed, status.State);
        Assert.Equal(1, worker.Runs);
    }

    [Fact]
    public async Task StopAsync_RunningWorker_CancelsTokenAndWaitsForCleanStop()
    {
        var worker = ScriptedWorker.UntilCancelled();
        var supervisor = Create([worker]);
        await supervisor.StartAsync(CancellationToken.None);
        await worker.WaitForStartAsync();
        var running = supervisor.GetStatuses()[0].State;

        await supervisor.StopAsync(CancellationToken.None).WaitAsync(Guard);

        var status = Assert.Single(supervisor.GetStatuses());
        Assert.Equal(SupervisedWorkerState.Running, running);
        Assert.Equal(SupervisedWorkerState.Stopped, status.State);
        Assert.Equal(0, status.RestartCount);
        Assert.Null(status.LastError);
        Assert.True(supervisor.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task StopAsync_WorkerThrowsCancellationOnStop_IsStoppedNotCrashed()
    {
        var worker = new ScriptedWorker("canceller", async (_, token) =>
        {
            var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await never.Task.WaitAsync(token);
        });
        var supervisor = Create([worker]);
        await supervisor.StartAsync(CancellationToken.None);
        await worker.WaitForStartAsync();

        await supervisor.StopAsync(CancellationToken.None).WaitAsync(Guard);

        var status = Assert.Single(supervisor.GetStatuses());
        Assert.Equal(SupervisedWorkerState.Stopped, status.State);
        Assert.Null(status.LastError);
        Assert.Equal(1, worker.Runs);
    }

    [Fact]
    public async Task StopAsync_WorkerInBackoff_ReturnsPromptlyWithoutRestart()
    {
        var worker = ScriptedWorker.Crashing();
        var supervisor = Create([worker], new SupervisorOptions { InitialDelay = TimeSpan.FromMinutes(1) });
        await supervisor.StartAsync(CancellationToken.None);
        await worker.WaitForStartAsync();
        await _time.WaitForTimerAsync();

        await supervisor.StopAsync(CancellationToken.None).WaitAsync(Guard);

        Assert.Equal(SupervisedWorkerState.Stopped, supervisor.GetStatuses()[0].State);
        Assert.Equal(1, worker.Runs);
    }

    [Fact]
    public async Task StopAsync_ShutdownTimeoutElapsed_ReturnsWithoutWaitingForWorker()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var worker = new ScriptedWorker("stubborn", (_, _) => release.Task);
        var supervisor = Create([worker]);
        await supervisor.StartAsync(CancellationToken.None);
        await worker.WaitForStartAsync();

        await supervisor.StopAsync(new CancellationToken(canceled: true)).WaitAsync(Guard);

        Assert.False(supervisor.Completion.IsCompleted);
        release.SetResult();
        await supervisor.Completion.WaitAsync(Guard);
        Assert.Equal(SupervisedWorkerState.Stopped, supervisor.GetStatuses()[0].State);
    }

    [Fact]
    public async Task StopAsync_NotStarted_ReturnsAtOnce()
    {
        var supervisor = Create([ScriptedWorker.UntilCancelled()]);

        await supervisor.StopAsync(CancellationToken.None).WaitAsync(Guard);

        Assert.Equal(SupervisedWorkerState.Stopped, supervisor.GetStatuses()[0].State);
    }

    [Fact]
    public async Task StartAsync_CalledTwice_Throws()
    {
        var supervisor = Create([ScriptedWorker.UntilCancelled()]);
        await supervisor.StartAsync(CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => supervisor.StartAsync(CancellationToken.None));
    }

    [Fact]
    public async Task StartAsync_WorkerRestarted_CountsRestartsTaggedWithWorker()
    {
        var crasher = ScriptedWorker.Crashing("crasher");
        var steady = ScriptedWorker.UntilCancelled("steady");
        var supervisor = Create([crasher, steady]);

        await supervisor.StartAsync(CancellationToken.None);
        await crasher.WaitForStartAsync();
        await steady.WaitForStartAsync();
        await _time.WaitForTimerAsync();
        _time.Advance(TimeSpan.FromSeconds(1));
        await crasher.WaitForStartAsync();

        var restart = Assert.Single(_metrics.Of(WorkerSupervisor.RestartsName));
        Assert.Equal(1, restart.Value);
        Assert.Equal("crasher", restart.Tags["worker"]);
        Assert.Equal(1, supervisor.GetStatuses().Single(s => s.Name == "crasher").RestartCount);
    }

    [Fact]
    public void Ctor_DuplicateWorkerNames_Throws() =>
        Assert.Throws<InvalidOperationException>(() => Create([ScriptedWorker.Crashing("same"), ScriptedWorker.UntilCancelled("same")]));

    private WorkerSupervisor Create(ISupervisedWorker[] workers, SupervisorOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        var supervisor = new WorkerSupervisor(
            workers,
            Options.Create(options ?? new SupervisorOptions()),
            _time,
            loggerFactory ?? NullLoggerFactory.Instance,
            _metrics.MeterFactory);
        _created.Add(supervisor);
        return supervisor;
    }
}
