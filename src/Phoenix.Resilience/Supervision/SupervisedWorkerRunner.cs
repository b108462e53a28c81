using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Phoenix.Resilience.Sanitization;
using Polly;
using Polly.Retry;

namespace Phoenix.Resilience.Supervision;

/// <summary>
/// Supervises one worker: runs it through a Polly retry pipeline (exponential backoff, unlimited
/// attempts, on the injected <see cref="TimeProvider"/>) whose predicate records each crash and decides
/// between backoff, an immediate restart after a long run (which starts a fresh backoff sequence) and
/// giving up on a crash loop.
/// </summary>
internal sealed partial class SupervisedWorkerRunner
{
    private readonly ISupervisedWorker _worker;
    private readonly SupervisorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ILogger _security;
    private readonly Counter<long> _restarts;
    private readonly KeyValuePair<string, object?> _workerTag;
    private readonly ResiliencePipeline _pipeline;
    private readonly Queue<long> _crashes = new();
    private readonly Lock _lock = new();
    private SupervisedWorkerState _state = SupervisedWorkerState.Stopped;
    private int _restartCount;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;
    private long _startedAt;
    private bool _hasRun;
    private bool _restartNow;

    public SupervisedWorkerRunner(
        ISupervisedWorker worker,
        SupervisorOptions options,
        TimeProvider timeProvider,
        ILogger logger,
        ILogger security,
        Counter<long> restarts)
    {
        _worker = worker;
        _options = options;
        _time = timeProvider;
        _logger = logger;
        _security = security;
        _restarts = restarts;
        Name = worker.Name;
        _workerTag = new KeyValuePair<string, object?>("worker", Name);
        _pipeline = new ResiliencePipelineBuilder { Name = "phoenix-supervisor", InstanceName = Name, TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                Name = "WorkerRestart",
                ShouldHandle = args => ValueTask.FromResult(RecordCrash(args.Outcome.Exception, args.Context.CancellationToken)),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = options.InitialDelay,
                MaxDelay = options.MaxDelay,
                UseJitter = options.UseJitter,
                OnRetry = args =>
                {
                    EnterBackoff(args.RetryDelay, args.Outcome.Exception);
                    return default;
                },
            })
            .Build();
    }

    public string Name { get; }

    public SupervisedWorkerStatus GetStatus()
    {
        lock (_lock)
        {
            return new SupervisedWorkerStatus
            {
                Name = Name,
                State = _state,
                RestartCount = _restartCount,
                LastError = _lastError,
                LastErrorAt = _lastErrorAt,
            };
        }
    }

    /// <summary>Runs and restarts the worker until the service stops, the worker completes or a crash loop is detected. Never throws.</summary>
    public async Task SuperviseAsync(CancellationToken stopping)
    {
        while (true)
        {
            try
            {
                await _pipeline.ExecuteAsync(static (self, token) => self.RunOnceAsync(token), this, stopping).ConfigureAwait(false);
                if (stopping.IsCancellationRequested)
                {
                    SetState(SupervisedWorkerState.Stopped);
                }
                else
                {
                    SetState(SupervisedWorkerState.Completed);
                    LogCompleted(_logger, Name);
                }

                return;
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                SetState(SupervisedWorkerState.Stopped);
                return;
            }
            catch (Exception) when (TakeRestartNow())
            {
                // It ran long enough before crashing: restart at once with a fresh backoff sequence.
            }
            catch (Exception ex)
            {
                // A crash loop (already recorded and logged); anything else is unexpected: fail too.
                lock (_lock)
                {
                    if (_state != SupervisedWorkerState.Failed)
                    {
                        _state = SupervisedWorkerState.Failed;
                        _lastError = Describe(ex);
                        _lastErrorAt = _time.GetUtcNow();
                    }
                }

                return;
            }
        }
    }

    private static string Describe(Exception exception) =>
        exception.GetType().Name + ": " + MessageSanitizer.Sanitize(exception.Message);

    private async ValueTask RunOnceAsync(CancellationToken token)
    {
        bool restarted;
        int restartCount;
        lock (_lock)
        {
            restarted = _hasRun;
            if (restarted)
            {
                _restartCount++;
            }

            restartCount = _restartCount;
            _hasRun = true;
            _state = SupervisedWorkerState.Running;
            _startedAt = _time.GetTimestamp();
        }

        if (restarted)
        {
            _restarts.Add(1, _workerTag);
            LogRestarted(_logger, Name, restartCount);
        }

        await _worker.RunAsync(token).ConfigureAwait(false);
    }

    /// <summary>The retry predicate: records a crash and returns whether to restart after a backoff delay.</summary>
    private bool RecordCrash(Exception? exception, CancellationToken stopping)
    {
        if (exception is null || stopping.IsCancellationRequested)
        {
            return false;
        }

        var now = _time.GetTimestamp();
        TimeSpan ranFor;
        int crashes;
        bool failed;
        bool restartNow;
        string error = Describe(exception);
        lock (_lock)
        {
            ranFor = _time.GetElapsedTime(_startedAt, now);
            _lastError = error;
            _lastErrorAt = _time.GetUtcNow();
            _crashes.Enqueue(now);
            while (_time.GetElapsedTime(_crashes.Peek(), now) > _options.CrashLoopWindow)
            {
                _crashes.Dequeue();
            }

            crashes = _crashes.Count;
            failed = crashes >= _options.CrashLoopThreshold;
            restartNow = !failed && ranFor >= _options.BackoffResetAfter;
            _restartNow = restartNow;
            if (failed)
            {
                _state = SupervisedWorkerState.Failed;
            }
        }

        if (failed)
        {
            LogCrashLoop(_security, Name, crashes, _options.CrashLoopWindow, error);
        }
        else if (restartNow)
        {
            LogCrashedRestartingNow(_logger, Name, ranFor, exception);
        }

        return !failed && !restartNow;
    }

    private void EnterBackoff(TimeSpan delay, Exception? exception)
    {
        SetState(SupervisedWorkerState.Backoff);
        LogCrashed(_logger, Name, delay, exception);
    }

    private bool TakeRestartNow()
    {
        lock (_lock)
        {
            var restartNow = _restartNow;
            _restartNow = false;
            return restartNow;
        }
    }

    private void SetState(SupervisedWorkerState state)
    {
        lock (_lock)
        {
            _state = state;
        }
    }
}
