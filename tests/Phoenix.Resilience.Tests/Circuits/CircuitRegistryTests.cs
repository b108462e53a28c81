using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Phoenix.Resilience.Circuits;
using Phoenix.Resilience.Pipelines;
using Phoenix.Resilience.Security;
using Phoenix.Resilience.Tests.Support;

namespace Phoenix.Resilience.Tests.Circuits;

public sealed class CircuitRegistryTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly CapturingLoggerFactory _logs = new();
    private readonly CircuitRegistry _registry;

    public CircuitRegistryTests() => _registry = new CircuitRegistry(_time, loggerFactory: _logs);

    [Fact]
    public void FailureRatioMode_PollyBreakerOpens_RegistryShowsOpenAndRatio()
    {
        var pipeline = Build("native", new CircuitBreakerOptions { FailureRatio = 0.5, MinimumThroughput = 4, BreakDuration = TimeSpan.FromSeconds(5) });

        pipeline.Execute(() => 1);
        pipeline.Execute(() => 1);
        Fail(pipeline);
        Assert.Equal(CircuitState.Closed, _registry.Find("native")!.State);
        Fail(pipeline);

        var info = _registry.Find("native")!;
        Assert.Equal(CircuitState.Open, info.State);
        Assert.Equal(CircuitBreakerMode.FailureRatio, info.Mode);
        Assert.Equal(0.5, info.FailureRatio, 3);
        Assert.Throws<BrokenCircuitException>(() => pipeline.Execute(() => 1));
    }

    [Fact]
    public void FailureRatioMode_AfterBreakProbeSucceeds_RegistryShowsClosed()
    {
        var pipeline = Build("native", new CircuitBreakerOptions { FailureRatio = 0.5, MinimumThroughput = 2, BreakDuration = TimeSpan.FromSeconds(5) });
        Fail(pipeline);
        Fail(pipeline);

        _time.Advance(TimeSpan.FromSeconds(6));
        pipeline.Execute(() => 1);

        Assert.Equal(CircuitState.Closed, _registry.Find("native")!.State);
    }

    [Fact]
    public void OnTransition_ToOpen_LogsCircuitOpenedSecurityEvent()
    {
        var pipeline = Build("p", new CircuitBreakerOptions { Mode = CircuitBreakerMode.ConsecutiveFailures, ConsecutiveFailures = 1 });

        Fail(pipeline);

        var entry = Assert.Single(_logs.Entries, e => e.EventId == SecurityEventIds.CircuitOpened);
        Assert.Equal(SecurityEventIds.Category, entry.Category);
        Assert.Contains("p", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StateChanged_HandlerThrows_BreakerStillWorks()
    {
        _registry.StateChanged += _ => throw new InvalidOperationException("bad handler");
        var pipeline = Build("p", new CircuitBreakerOptions { Mode = CircuitBreakerMode.ConsecutiveFailures, ConsecutiveFailures = 1 });

        Fail(pipeline);

        Assert.Equal(CircuitState.Open, _registry.Find("p")!.State);
    }

    [Fact]
    public void Snapshot_SeveralCircuits_ListsAllByName()
    {
        Build("b", new CircuitBreakerOptions());
        Build("a", new CircuitBreakerOptions { Mode = CircuitBreakerMode.SlowCallRate });

        Assert.Equal(["a", "b"], _registry.Snapshot().Select(c => c.Name));
        Assert.Null(_registry.Find("missing"));
    }

    [Fact]
    public async Task HealthCheck_OpenCircuit_IsDegradedAndNamesIt()
    {
        var pipeline = Build("exec-0", new CircuitBreakerOptions { Mode = CircuitBreakerMode.ConsecutiveFailures, ConsecutiveFailures = 1 });
        Build("exec-1", new CircuitBreakerOptions());
        var check = new CircuitHealthCheck(_registry);
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        Fail(pipeline);
        var result = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains("exec-0", result.Description, StringComparison.Ordinal);
        Assert.Equal("open", result.Data["exec-0"]);
        Assert.Equal("closed", result.Data["exec-1"]);
    }

    [Fact]
    public void StateGauge_ReportsEachCircuitState()
    {
        var pipeline = Build("g", new CircuitBreakerOptions { Mode = CircuitBreakerMode.ConsecutiveFailures, ConsecutiveFailures = 1 });
        Fail(pipeline);
        var seen = new Dictionary<string, int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "phoenix.circuit.state")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "circuit.name")
                {
                    seen[(string)tag.Value!] = value;
                }
            }
        });
        listener.Start();

        listener.RecordObservableInstruments();

        Assert.Equal((int)CircuitState.Open, seen["g"]);
    }

    private ResiliencePipeline Build(string name, CircuitBreakerOptions settings) =>
        new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddPhoenixCircuitBreaker(new PhoenixCircuitBreakerStrategyOptions { CircuitName = name, Settings = settings, Registry = _registry })
            .Build();

    private static void Fail(ResiliencePipeline pipeline) =>
        Assert.Throws<TimeoutException>(() => pipeline.Execute(() => throw new TimeoutException()));
}
