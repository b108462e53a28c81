using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Phoenix.Resilience.Circuits;
using Phoenix.Resilience.Pipelines;

namespace Phoenix.Resilience.Tests.Circuits;

public sealed class PhoenixCircuitBreakerStrategyTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly CircuitRegistry _registry;

    public PhoenixCircuitBreakerStrategyTests() => _registry = new CircuitRegistry(_time);

    [Fact]
    public void ConsecutiveFailures_BelowThreshold_StaysClosed()
    {
        var pipeline = Build(new CircuitBreakerOptions { Mode = CircuitBreakerMode.ConsecutiveFailures, ConsecutiveFailures = 3 });

        Fail(pipeline, 2);

        Assert.Equal(CircuitState.Closed, _registry.Find("c")!.State);
    }

    [Fact]
    public void ConsecutiveFailures_SuccessBetweenFailures_ResetsCount()
    {
        var pipeline = Build(new CircuitBreakerOptions { Mode = CircuitBreakerMode.ConsecutiveFailures, ConsecutiveFailures = 3 });

        Fail(pipeline, 2);
        pipeline.Execute(() => 1);
        Fail(pipeline, 2);

        Assert.Equal(CircuitState.Closed, _registry.Find("c")!.State);
    }

    [Fact]
    public void ConsecutiveFailures_AtThreshold_OpensAndRejectsWithoutCallingWithRetryAfter()
    {
        var pipeline = Build(new CircuitBreakerOptions { Mode = CircuitBreakerMode.ConsecutiveFailures, ConsecutiveFailures = 3, BreakDuration = TimeSpan.FromSeconds(10) });
        Fail(pipeline, 3);
        _time.Advance(TimeSpan.FromSeconds(4));
        var called = false;

        var ex = Assert.Throws<BrokenCircuitException>(() => pipeline.Execute(() => called = true));

        Assert.False(called);
        Assert.Equal(CircuitState.Open, _registry.Find("c")!.State);
        Assert.Equal(TimeSpan.FromSeconds(6), ex.RetryAfter);
    }

    [Fact]
    public void ConsecutiveFailures_BreakElapsedProbeSucceeds_Closes()
    {
        var pipeline = Build(new CircuitBreakerOptions { Mode = CircuitBreakerMode.ConsecutiveFailures, ConsecutiveFailures = 1, BreakDuration = TimeSpan.FromSeconds(5) });
        Fail(pipeline, 1);

        _time.Advance(TimeSpan.FromSeconds(5));
        var result = pipeline.Execute(() => 42);

        Assert.Equal(42, result);
        Assert.Equal(CircuitState.Closed, _registry.Find("c")!.State);
    }

    [Fact]
    public void ConsecutiveFailures_BreakElapsedProbeFails_OpensForAnotherFullBreak()
    {
        var pipeline = Build(new CircuitBreakerOptions { Mode = CircuitBreakerMode.ConsecutiveFailures, ConsecutiveFailures = 1, BreakDuration = TimeSpan.FromSeconds(5) });
        Fail(pipeline, 1);
        _time.Advance(TimeSpan.FromSeconds(5));

        Fail(pipeline, 1);
        _time.Advance(TimeSpan.FromSeconds(4));

        Assert.Equal(CircuitState.Open, _registry.Find("c")!.State);
        Assert.Throws<BrokenCircuitException>(() => pipeline.Execute(() => 1));
    }

    [Fact]
    public async Task HalfOpen_SecondCallWhileProbeInFlight_IsRejected()
    {
        var pipeline = Build(new CircuitBreakerOptions { Mode = CircuitBreakerMode.ConsecutiveFailures, ConsecutiveFailures = 1, BreakDuration = TimeSpan.FromSeconds(5) });
        Fail(pipeline, 1);
        _time.Advance(TimeSpan.FromSeconds(5));
        var release = new TaskCompletionSource();
        var entered = new TaskCompletionSource();

        var probe = pipeline.ExecuteAsync(async _ =>
        {
            entered.SetResult();
            await release.Task;
        }).AsTask();
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(CircuitState.HalfOpen, _registry.Find("c")!.State);
        Assert.Throws<BrokenCircuitException>(() => pipeline.Execute(() => 1));
        release.SetResult();
        await probe.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(CircuitState.Closed, _registry.Find("c")!.State);
    }

    [Fact]
    public void ConsecutiveFailures_UnhandledException_DoesNotCount()
    {
        var pipeline = Build(
            new CircuitBreakerOptions { Mode = CircuitBreakerMode.ConsecutiveFailures, ConsecutiveFailures = 1 },
            shouldHandle: ex => ex is TimeoutException);

        Assert.Throws<InvalidOperationException>(() => pipeline.Execute(() => throw new InvalidOperationException()));

        Assert.Equal(CircuitState.Closed, _registry.Find("c")!.State);
    }

    [Fact]
    public void SlowCallRate_SlowShareReachesRatio_Opens()
    {
        var pipeline = Build(new CircuitBreakerOptions
        {
            Mode = CircuitBreakerMode.SlowCallRate, MinimumThroughput = 4, SlowCallRatio = 0.5, SlowCallDuration = TimeSpan.FromSeconds(1),
        });

        Call(pipeline, TimeSpan.FromMilliseconds(10));
        Call(pipeline, TimeSpan.FromMilliseconds(10));
        Call(pipeline, TimeSpan.FromSeconds(1));
        Assert.Equal(CircuitState.Closed, _registry.Find("c")!.State);
        Call(pipeline, TimeSpan.FromSeconds(2));

        var info = _registry.Find("c")!;
        Assert.Equal(CircuitState.Open, info.State);
        Assert.Throws<BrokenCircuitException>(() => pipeline.Execute(() => 1));
    }

    [Fact]
    public void SlowCallRate_SlowShareBelowRatio_StaysClosedAndReportsRatio()
    {
        var pipeline = Build(new CircuitBreakerOptions
        {
            Mode = CircuitBreakerMode.SlowCallRate, MinimumThroughput = 4, SlowCallRatio = 0.5, SlowCallDuration = TimeSpan.FromSeconds(1),
        });

        Call(pipeline, TimeSpan.FromSeconds(3));
        for (var i = 0; i < 4; i++)
        {
            Call(pipeline, TimeSpan.FromMilliseconds(1));
        }

        var info = _registry.Find("c")!;
        Assert.Equal(CircuitState.Closed, info.State);
        Assert.Equal(5, info.Calls);
        Assert.Equal(0.2, info.SlowCallRatio, 3);
    }

    [Fact]
    public void SlowCallRate_OldSlowCallsAgeOutOfWindow()
    {
        var pipeline = Build(new CircuitBreakerOptions
        {
            Mode = CircuitBreakerMode.SlowCallRate, MinimumThroughput = 3, SlowCallRatio = 0.6,
            SlowCallDuration = TimeSpan.FromSeconds(1), SamplingDuration = TimeSpan.FromSeconds(10),
        });
        Call(pipeline, TimeSpan.FromSeconds(2));
        Call(pipeline, TimeSpan.FromSeconds(2));

        _time.Advance(TimeSpan.FromSeconds(30));
        Call(pipeline, TimeSpan.FromMilliseconds(1));
        Call(pipeline, TimeSpan.FromMilliseconds(1));
        Call(pipeline, TimeSpan.FromSeconds(2));

        Assert.Equal(CircuitState.Closed, _registry.Find("c")!.State);
    }

    [Fact]
    public void SlowCallRate_FailureShareReachesFailureRatio_Opens()
    {
        var pipeline = Build(new CircuitBreakerOptions
        {
            Mode = CircuitBreakerMode.SlowCallRate, MinimumThroughput = 2, FailureRatio = 0.5, SlowCallRatio = 1.0,
        });

        pipeline.Execute(() => 1);
        Fail(pipeline, 1);

        Assert.Equal(CircuitState.Open, _registry.Find("c")!.State);
    }

    [Fact]
    public void HalfOpenProbe_SlowInSlowCallMode_Reopens()
    {
        var pipeline = Build(new CircuitBreakerOptions
        {
            Mode = CircuitBreakerMode.SlowCallRate, MinimumThroughput = 2, SlowCallRatio = 0.5,
            SlowCallDuration = TimeSpan.FromSeconds(1), BreakDuration = TimeSpan.FromSeconds(5),
        });
        Call(pipeline, TimeSpan.FromSeconds(2));
        Call(pipeline, TimeSpan.FromSeconds(2));
        _time.Advance(TimeSpan.FromSeconds(5));

        Call(pipeline, TimeSpan.FromSeconds(2));

        Assert.Equal(CircuitState.Open, _registry.Find("c")!.State);
    }

    [Fact]
    public void Transitions_AreReportedToRegistrySubscribersInOrder()
    {
        var changes = new List<CircuitStateChange>();
        _registry.StateChanged += changes.Add;
        var pipeline = Build(new CircuitBreakerOptions { Mode = CircuitBreakerMode.ConsecutiveFailures, ConsecutiveFailures = 1, BreakDuration = TimeSpan.FromSeconds(5) });

        Fail(pipeline, 1);
        _time.Advance(TimeSpan.FromSeconds(5));
        pipeline.Execute(() => 1);

        Assert.Equal(
            [(CircuitState.Closed, CircuitState.Open), (CircuitState.Open, CircuitState.HalfOpen), (CircuitState.HalfOpen, CircuitState.Closed)],
            changes.Select(c => (c.From, c.To)));
        Assert.Equal(_time.GetUtcNow(), _registry.Find("c")!.LastTransition);
    }

    private ResiliencePipeline Build(CircuitBreakerOptions settings, Func<Exception, bool>? shouldHandle = null)
    {
        var options = new PhoenixCircuitBreakerStrategyOptions { CircuitName = "c", Settings = settings, Registry = _registry };
        if (shouldHandle is not null)
        {
            options.ShouldHandle = shouldHandle;
        }

        return new ResiliencePipelineBuilder { TimeProvider = _time }.AddPhoenixCircuitBreaker(options).Build();
    }

    private void Call(ResiliencePipeline pipeline, TimeSpan duration) => pipeline.Execute(() => _time.Advance(duration));

    private static void Fail(ResiliencePipeline pipeline, int times)
    {
        for (var i = 0; i < times; i++)
        {
            Assert.Throws<TimeoutException>(() => pipeline.Execute(() => throw new TimeoutException()));
        }
    }
}
