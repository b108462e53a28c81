using System.Threading.Channels;
using Polly;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Telemetry;
using Polly.Timeout;
using Phoenix.Resilience.Circuits;
using Phoenix.Resilience.Errors;
using Phoenix.Resilience.Pipelines;
using Phoenix.Resilience.Tests.Support;

namespace Phoenix.Resilience.Tests.Pipelines;

public sealed class PipelineBuilderExtensionsTests
{
    private static readonly PhoenixException Transient = new(PhoenixError.Create(ErrorKind.Unavailable, "dep.down", "down"));
    private readonly TimerTrackingTimeProvider _time = new();
    private readonly CircuitRegistry _circuits;
    private readonly RetryDelayRecorder _delays = new();

    public PipelineBuilderExtensionsTests() => _circuits = new CircuitRegistry(_time);

    [Fact]
    public async Task Retry_TransientFailures_WaitsExponentialDelaysBeforeEachAttempt()
    {
        var pipeline = Build(new PipelineOptions
        {
            Retry = new RetryOptions { MaxRetryAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(200), UseJitter = false },
        });
        var attempts = Channel.CreateUnbounded<int>();
        var count = 0;

        var run = pipeline.ExecuteAsync(_ =>
        {
            attempts.Writer.TryWrite(++count);
            return count < 4 ? ValueTask.FromException(Transient) : ValueTask.CompletedTask;
        }).AsTask();

        Assert.Equal(1, await attempts.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        foreach (var (delayMs, attempt) in new[] { (200, 2), (400, 3), (800, 4) })
        {
            await _time.WaitForTimerAsync();
            _time.Advance(TimeSpan.FromMilliseconds(delayMs - 1));
            Assert.False(attempts.Reader.TryRead(out _), $"attempt {attempt} ran before its {delayMs} ms delay");
            _time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal(attempt, await attempts.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        }

        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(800)], _delays.Delays);
    }

    [Fact]
    public async Task Retry_FailureCarriesRetryAfter_WaitsThatInsteadOfBackoff()
    {
        var pipeline = Build(new PipelineOptions
        {
            Retry = new RetryOptions { MaxRetryAttempts = 1, BaseDelay = TimeSpan.FromMilliseconds(100), UseJitter = false },
        });
        var hinted = new PhoenixException(PhoenixError.Create(ErrorKind.RateLimited, "rate", "slow down") with { RetryAfter = TimeSpan.FromSeconds(3) });
        var attempts = Channel.CreateUnbounded<int>();
        var count = 0;

        var run = pipeline.ExecuteAsync(_ =>
        {
            attempts.Writer.TryWrite(++count);
            return count == 1 ? ValueTask.FromException(hinted) : ValueTask.CompletedTask;
        }).AsTask();
        await attempts.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await _time.WaitForTimerAsync();

        _time.Advance(TimeSpan.FromMilliseconds(2999));
        Assert.False(attempts.Reader.TryRead(out _));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, await attempts.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([TimeSpan.FromSeconds(3)], _delays.Delays);
    }

    [Fact]
    public async Task Retry_RetryAfterAboveMaxDelay_IsCapped()
    {
        var pipeline = Build(new PipelineOptions
        {
            Retry = new RetryOptions { MaxRetryAttempts = 1, BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(2), UseJitter = false },
        });
        var hinted = new PhoenixException(PhoenixError.Create(ErrorKind.RateLimited, "rate", "slow down") with { RetryAfter = TimeSpan.FromHours(1) });
        var count = 0;

        var run = pipeline.ExecuteAsync(_ => ++count == 1 ? ValueTask.FromException(hinted) : ValueTask.CompletedTask).AsTask();
        await _time.WaitForTimerAsync();
        _time.Advance(TimeSpan.FromSeconds(2));

        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, count);
        Assert.Equal([TimeSpan.FromSeconds(2)], _delays.Delays);
    }

    [Fact]
    public void Retry_NonTransientFailure_IsNotRetried()
    {
        var pipeline = Build(new PipelineOptions { Retry = new RetryOptions { MaxRetryAttempts = 5 } });
        var count = 0;

        Assert.Throws<PhoenixException>(() => pipeline.Execute(() =>
        {
            count++;
            throw new PhoenixException(PhoenixError.Create(ErrorKind.Validation, "bad", "bad"));
        }));

        Assert.Equal(1, count);
    }

    [Fact]
    public void Retry_CustomPredicate_ReplacesDefault()
    {
        var pipeline = Build(
            new PipelineOptions { Retry = new RetryOptions { MaxRetryAttempts = 5, BaseDelay = TimeSpan.FromMilliseconds(1) } },
            new PipelinePredicates { ShouldRetry = _ => false });
        var count = 0;

        Assert.Throws<PhoenixException>(() => pipeline.Execute(() =>
        {
            count++;
            throw Transient;
        }));

        Assert.Equal(1, count);
    }

    [Fact]
    public async Task Timeout_AttemptExceedsTimeout_RejectedWithTimeoutRejectedException()
    {
        var pipeline = Build(new PipelineOptions { Timeout = new TimeoutOptions { Timeout = TimeSpan.FromSeconds(2) } });

        var run = pipeline.ExecuteAsync(async ct => await Task.Delay(TimeSpan.FromHours(1), _time, ct)).AsTask();
        _time.Advance(TimeSpan.FromSeconds(2));

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Bulkhead_FullWithNoQueue_RejectsAtOnce()
    {
        var pipeline = Build(new PipelineOptions { Bulkhead = new BulkheadOptions { MaxConcurrency = 1, QueueLimit = 0 } });
        var release = new TaskCompletionSource();
        var busy = pipeline.ExecuteAsync(async _ => await release.Task).AsTask();

        await Assert.ThrowsAsync<RateLimiterRejectedException>(() => pipeline.ExecuteAsync(_ => ValueTask.CompletedTask).AsTask());

        release.SetResult();
        await busy.WaitAsync(TimeSpan.FromSeconds(10));
        await pipeline.ExecuteAsync(_ => ValueTask.CompletedTask);
    }

    [Fact]
    public async Task Bulkhead_Queue_HoldsWaiterUntilSlotFrees()
    {
        var pipeline = Build(new PipelineOptions { Bulkhead = new BulkheadOptions { MaxConcurrency = 1, QueueLimit = 1 } });
        var release = new TaskCompletionSource();
        var busy = pipeline.ExecuteAsync(async _ => await release.Task).AsTask();
        var queuedRan = false;

        var queued = pipeline.ExecuteAsync(_ =>
        {
            queuedRan = true;
            return ValueTask.CompletedTask;
        }).AsTask();
        await Assert.ThrowsAsync<RateLimiterRejectedException>(() => pipeline.ExecuteAsync(_ => ValueTask.CompletedTask).AsTask());
        Assert.False(queuedRan);

        release.SetResult();
        await Task.WhenAll(busy, queued).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(queuedRan);
    }

    [Fact]
    public void CircuitBreaker_FromOptions_RegisteredUnderPipelineName()
    {
        var pipeline = Build(new PipelineOptions
        {
            CircuitBreaker = new CircuitBreakerOptions { Mode = CircuitBreakerMode.ConsecutiveFailures, ConsecutiveFailures = 2 },
        }, name: "executor-0");

        Assert.Throws<PhoenixException>(() => pipeline.Execute(() => throw Transient));
        Assert.Throws<PhoenixException>(() => pipeline.Execute(() => throw Transient));

        Assert.Equal(CircuitState.Open, _circuits.Find("executor-0")!.State);
    }

    [Fact]
    public async Task RetryAndBreaker_OpenCircuit_RetryWaitsBreakDurationThenSucceeds()
    {
        var pipeline = Build(new PipelineOptions
        {
            Retry = new RetryOptions { MaxRetryAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(10), UseJitter = false },
            CircuitBreaker = new CircuitBreakerOptions { Mode = CircuitBreakerMode.ConsecutiveFailures, ConsecutiveFailures = 1, BreakDuration = TimeSpan.FromSeconds(5) },
        });
        var count = 0;

        var run = pipeline.ExecuteAsync(_ => ++count == 1 ? ValueTask.FromException(Transient) : ValueTask.CompletedTask).AsTask();
        await _time.WaitForTimerAsync();
        _time.Advance(TimeSpan.FromMilliseconds(10));
        await _time.WaitForTimerAsync();
        Assert.Equal(1, count);
        _time.Advance(TimeSpan.FromMilliseconds(4990));

        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, count);
        // The circuit opened at t=0 for 5 s; at t=10 ms the retry waits the 4.99 s it has left.
        Assert.Equal([TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(4990)], _delays.Delays);
    }

    [Fact]
    public void Empty_NoStrategies_PassesThrough()
    {
        var pipeline = Build(new PipelineOptions());

        Assert.Equal(7, pipeline.Execute(() => 7));
        Assert.Empty(_circuits.Snapshot());
    }

    private ResiliencePipeline Build(PipelineOptions options, PipelinePredicates? predicates = null, string name = "test") =>
        new ResiliencePipelineBuilder { TimeProvider = _time }
            .ConfigureTelemetry(new TelemetryOptions { TelemetryListeners = { _delays } })
            .AddPhoenixStrategies(name, options, _circuits, predicates)
            .Build();
}
