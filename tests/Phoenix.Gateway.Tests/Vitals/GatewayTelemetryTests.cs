using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Phoenix.Gateway.Forwarding;
using Phoenix.Gateway.Vitals;
using Phoenix.Resilience.Circuits;

namespace Phoenix.Gateway.Tests.Vitals;

public sealed class GatewayTelemetryTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly CircuitRegistry _circuits = new();
    private readonly ExecutorPool _pool;

    public GatewayTelemetryTests() =>
        _pool = new ExecutorPool(
            Options.Create(new ForwardingOptions
            {
                Executors =
                [
                    new ExecutorEndpointOptions { Name = "exec-a", Address = "http://127.0.0.1:1" },
                    new ExecutorEndpointOptions { Name = "exec-b", Address = "http://127.0.0.1:2" },
                ],
            }),
            _circuits,
            TimeProvider.System);

    [Fact]
    public void ExecutorGauges_Observed_InFlightAndAvailabilityPerExecutor()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _ = new GatewayTelemetry(factory, _pool);
        using var recorder = new GatewayMeterRecorder(factory);
        using var lease1 = _pool.Endpoints[0].Enter();
        using var lease2 = _pool.Endpoints[0].Enter();
        _pool.Endpoints[1].Healthy = false;

        recorder.Observe();

        var seen = recorder.Seen;
        Assert.Equal(2, Gauge(seen, GatewayTelemetry.ExecutorInFlightName, "exec-a"));
        Assert.Equal(0, Gauge(seen, GatewayTelemetry.ExecutorInFlightName, "exec-b"));
        Assert.Equal(1, Gauge(seen, GatewayTelemetry.ExecutorAvailableName, "exec-a"));
        Assert.Equal(0, Gauge(seen, GatewayTelemetry.ExecutorAvailableName, "exec-b"));
    }

    [Fact]
    public void Meter_Created_NamedPhoenixGatewayWithUnits()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        var instruments = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    instruments.Add(instrument);
                }
            },
        };
        listener.Start();

        _ = new GatewayTelemetry(factory, _pool);

        Assert.All(instruments, i => Assert.Equal("Phoenix.Gateway", i.Meter.Name));
        var units = instruments.ToDictionary(i => i.Name, i => i.Unit);
        Assert.Equal("{failure}", units["phoenix.gateway.auth.failures"]);
        Assert.Equal("{request}", units["phoenix.gateway.rate_limit.rejections"]);
        Assert.Equal("{run}", units["phoenix.gateway.executor.in_flight"]);
        Assert.Equal("1", units["phoenix.gateway.executor.available"]);
        Assert.Equal("Phoenix.Gateway", GatewayTelemetry.ActivitySource.Name);
    }

    public void Dispose()
    {
        _pool.Dispose();
        _circuits.Dispose();
        _services.Dispose();
    }

    private static double Gauge(IEnumerable<RecordedMeasurement> seen, string instrument, string executor) =>
        seen.Last(m => m.Instrument == instrument && Equals(m.Tag(GatewayTelemetry.ExecutorTag), executor)).Value;
}
