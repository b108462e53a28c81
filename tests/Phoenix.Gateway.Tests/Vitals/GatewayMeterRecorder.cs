using System.Diagnostics.Metrics;
using Phoenix.Gateway.Vitals;

namespace Phoenix.Gateway.Tests.Vitals;

/// <summary>
/// A <see cref="MeterListener"/> on the meters <c>Phoenix.Gateway</c> and <c>Microsoft.AspNetCore.Hosting</c> (which
/// records <c>http.server.request.duration</c>) of one <see cref="IMeterFactory"/> (one host), so
/// tests running in parallel do not see each other's measurements. <see cref="WaitForAsync"/> completes when a
/// matching measurement arrives (measurements may be recorded after the client has read the response).
/// </summary>
internal sealed class GatewayMeterRecorder : IDisposable
{
    /// <summary>ASP.NET Core's meter of the HTTP server metrics.</summary>
    public const string HostingMeter = "Microsoft.AspNetCore.Hosting";

    /// <summary>The HTTP server duration histogram: the gateway's RED metric.</summary>
    public const string HttpServerRequestDuration = "http.server.request.duration";

    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly List<RecordedMeasurement> _seen = [];
    private readonly List<(Func<RecordedMeasurement, bool> Match, TaskCompletionSource<RecordedMeasurement> Done)> _waiters = [];

    public GatewayMeterRecorder(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name is GatewayTelemetry.Name or HostingMeter && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
        _listener.Start();
    }

    public IReadOnlyList<RecordedMeasurement> Seen
    {
        get
        {
            lock (_lock)
            {
                return [.. _seen];
            }
        }
    }

    /// <summary>Polls the observable gauges once.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    public Task<RecordedMeasurement> WaitForAsync(Func<RecordedMeasurement, bool> match)
    {
        lock (_lock)
        {
            if (_seen.FirstOrDefault(match) is { } already)
            {
                return Task.FromResult(already);
            }

            var done = new TaskCompletionSource<RecordedMeasurement>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var tagMap = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, tagValue) in tags)
        {
            tagMap[key] = tagValue;
        }

        var measurement = new RecordedMeasurement(instrument.Name, value, tagMap);
        lock (_lock)
        {
            _seen.Add(measurement);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(measurement))
                {
                    _waiters[i].Done.TrySetResult(measurement);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
