using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Phoenix.Resilience.Tests.Degradation;

/// <summary>
/// A private <see cref="IMeterFactory"/> plus a <see cref="MeterListener"/> that records only the
/// instruments of meters created by that factory, so parallel tests do not see each other's measurements.
/// </summary>
internal sealed class MeasurementRecorder : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly MeterListener _listener = new();

    public MeasurementRecorder()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        MeterFactory = _services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, MeterFactory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public IMeterFactory MeterFactory { get; }

    public ConcurrentQueue<Measurement> Measurements { get; } = new();

    /// <summary>Collects the current value of every observable instrument.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    public IReadOnlyList<Measurement> Of(string instrument) => [.. Measurements.Where(m => m.Instrument == instrument)];

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }

    private void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        Measurements.Enqueue(new Measurement(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString())));

    internal sealed record Measurement(string Instrument, long Value, Dictionary<string, string?> Tags);
}
