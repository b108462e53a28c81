using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Phoenix.Executor.Policy;
using Phoenix.Executor.Sandbox;
using Phoenix.Hosting.Security;

namespace Phoenix.Executor.Runs;

/// <summary>
/// The run lifecycle: check the request against the policy in force → wait for a slot (at most
/// <see cref="ExecutorOptions.MaxConcurrentRuns"/> at once, a bounded queue, refused at once when full) →
/// run it in the sandbox → record metrics and security events. On shutdown it refuses new runs, lets
/// in-flight runs finish until the deadline, then kills them. The drain starts in <see cref="StoppingAsync"/>,
/// before any hosted service stops: the web server stops after it and would otherwise hold the in-flight
/// calls (and their runs) for the host's whole shutdown timeout before the deadline was even considered.
/// </summary>
internal sealed partial class RunCoordinator : IHostedLifecycleService, IDisposable
{
    private readonly PolicyStore _policy;
    private readonly ISandbox _sandbox;
    private readonly ExecutorOptions _options;
    private readonly ISecurityEventLog _security;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrencyLimiter _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ExecutorTelemetry _telemetry;
    private readonly bool _unsandboxed;
    private int _queued;
    private int _inFlight;
    private int _active;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _acceptingRuns = true;

    public RunCoordinator(
        PolicyStore policy,
        ISandbox sandbox,
        IOptions<ExecutorOptions> options,
        IOptions<SandboxOptions> sandboxOptions,
        ISecurityEventLog security,
        System.Diagnostics.Metrics.IMeterFactory meters,
        ILogger<RunCoordinator> logger,
        TimeProvider time)
    {
        _policy = policy;
        _sandbox = sandbox;
        _options = options.Value;
        _security = security;
        _logger = logger;
        _time = time;
        _unsandboxed = sandboxOptions.Value.Mode == SandboxMode.Unsandboxed;
        _slots = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = _options.MaxConcurrentRuns,
            QueueLimit = _options.QueueLength,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _telemetry = new ExecutorTelemetry(meters, () => Volatile.Read(ref _queued), () => Volatile.Read(ref _inFlight), _options);
    }

    public string Name => _options.Name;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Checks <paramref name="request"/> against the policy in force without running it.</summary>
    public PolicyDecision Validate(RunRequest request) => RequestValidator.Check(request, _policy.Current, NewRunId);

    /// <summary>Checks and runs <paramref name="request"/>; output goes to <paramref name="output"/> as it comes.</summary>
    public async Task<RunReply> ExecuteAsync(RunRequest request, IOutputSink? output, CancellationToken cancellationToken)
    {
        var decision = Validate(request);
        if (decision.Run is not { } run)
        {
            _telemetry.Rejections.Add(1, new KeyValuePair<string, object?>("reason", decision.Forbidden ? "policy" : "validation"));
            foreach (var violation in decision.Violations.Where(v => v.Forbidden))
            {
                _security.PolicyViolation(null, violation.Field, violation.Message);
            }

            return new RunReply { Violations = decision.Violations };
        }

        if (!_acceptingRuns)
        {
            return Refuse(run, RunRefusal.ShuttingDown);
        }

        Interlocked.Increment(ref _active);
        try
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            wait.CancelAfter(_options.QueueTimeout);
            RateLimitLease lease;
            Interlocked.Increment(ref _queued);
            try
            {
                lease = await _slots.AcquireAsync(1, wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Refuse(run, _stopping.IsCancellationRequested ? RunRefusal.ShuttingDown : RunRefusal.QueueFull);
            }
            finally
            {
                Interlocked.Decrement(ref _queued);
            }

            using (lease)
            {
                if (!lease.IsAcquired)
                {
                    return Refuse(run, RunRefusal.QueueFull);
                }

                return new RunReply { Run = run, Result = await RunAsync(run, output, cancellationToken).ConfigureAwait(false) };
            }
        }
        finally
        {
            if (Interlocked.Decrement(ref _active) == 0 && !_acceptingRuns)
            {
                _drained.TrySetResult();
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _sandbox.CleanUpStale();
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs before every hosted service's <c>StopAsync</c> (the server's included): drains within the deadline.</summary>
    public Task StoppingAsync(CancellationToken cancellationToken) => DrainAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => DrainAsync(cancellationToken);

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        _acceptingRuns = false;
        if (Volatile.Read(ref _active) == 0)
        {
            return;
        }

        var active = Volatile.Read(ref _active);
        LogDraining(_logger, active, _options.ShutdownDeadline);
        try
        {
            await _drained.Task.WaitAsync(_options.ShutdownDeadline, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            LogKillingAtShutdown(_logger, Volatile.Read(ref _active));
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _drained.Task.WaitAsync(TimeSpan.FromSeconds(10), _time, CancellationToken.None).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _slots.Dispose();
        _stopping.Dispose();
        _telemetry.Dispose();
    }

    private static string NewRunId() => Guid.NewGuid().ToString("N");

    private RunReply Refuse(RunSpec run, RunRefusal refusal)
    {
        _telemetry.Rejections.Add(1, new KeyValuePair<string, object?>("reason", refusal == RunRefusal.QueueFull ? "queue_full" : "shutting_down"));
        return new RunReply { Run = run, Refusal = refusal };
    }

    private async Task<SandboxResult> RunAsync(RunSpec run, IOutputSink? output, CancellationToken cancellationToken)
    {
        using var activity = RunTracing.Start(run, _options.Name);
        if (_unsandboxed)
        {
            _security.UnsandboxedRun(run.RunId);
        }

        Interlocked.Increment(ref _inFlight);
        SandboxResult result;
        try
        {
            using var kill = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            result = await _sandbox.RunAsync(run, output, kill.Token).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }

        var status = StatusName(result.Outcome);
        RunTracing.End(activity, result, status);
        LogRunFinished(_logger, run.RunId, status, result.ExitCode, result.Usage.WallMs);
        if (result.Outcome == RunOutcome.SandboxError)
        {
            _security.SandboxFailure(run.RunId, result.Error ?? "sandbox error");
        }

        if (result.BreachedLimit is { } limit)
        {
            _security.SandboxLimitBreached(run.RunId, limit);
        }

        var tag = new KeyValuePair<string, object?>("phoenix.run.status", status);
        _telemetry.Runs.Add(1, tag);
        _telemetry.Duration.Record(result.Usage.WallMs / 1000.0, tag);
        _telemetry.CpuTime.Add(result.Usage.CpuMs / 1000.0);
        _telemetry.PeakMemory.Record(result.Usage.PeakMemoryBytes);
        if (result.StartLatency is { } latency)
        {
            _telemetry.StartLatency.Record(latency.TotalSeconds);
        }

        return result;
    }

    internal static string StatusName(RunOutcome outcome) => outcome switch
    {
        RunOutcome.Succeeded => "succeeded",
        RunOutcome.Failed => "failed",
        RunOutcome.TimedOut => "timed_out",
        RunOutcome.MemoryLimit => "memory_limit",
        RunOutcome.OutputLimit => "output_limit",
        RunOutcome.Killed => "killed",
        _ => "sandbox_error",
    };

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Shutting down: waiting up to {Deadline} for {Count} run(s)")]
    private static partial void LogDraining(ILogger logger, int count, TimeSpan deadline);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Shutdown deadline reached: killing {Count} run(s)")]
    private static partial void LogKillingAtShutdown(ILogger logger, int count);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Information, Message = "Run {RunId} finished: {Status}, exit code {ExitCode}, {WallMs} ms")]
    private static partial void LogRunFinished(ILogger logger, string runId, string status, int? exitCode, long wallMs);
}
