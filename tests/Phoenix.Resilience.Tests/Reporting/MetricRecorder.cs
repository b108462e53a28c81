using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Phoenix.Resilience.Telemetry;

namespace Phoenix.Resilience.Tests.Reporting;

/// <summary>Records the long measurements of the Phoenix.Resilience meters created by one meter factory.</summary>
internal sealed class MetricRecorder : IDisposable
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();
    private readonly Channel<bool> _recorded = Channel.CreateUnbounded<bool>();

    public MetricRecorder(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, scope) && instrument.Meter.Name == ResilienceTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            _measurements.Enqueue(new Measurement(instrument.Name, instrument.Unit, value, tags.ToArray()));
            _recorded.Writer.TryWrite(true);
        });
        _listener.Start();
    }

    public IReadOnlyCollection<Measurement> Measurements => _measurements.ToArray();

    /// <summary>The sum of <paramref name="instrument"/>'s measurements that carry every one of <paramref name="tags"/>.</summary>
    public long Sum(string instrument, params (string Key, string Value)[] tags) =>
        _measurements
            .Where(m => m.Instrument == instrument && tags.All(tag => m.Tags.Any(t => t.Key == tag.Key && Equals(t.Value, tag.Value))))
            .Sum(m => m.Value);

    /// <summary>Waits, without sleeping, until <paramref name="condition"/> holds after some measurement.</summary>
    public async Task WaitUntilAsync(Func<MetricRecorder, bool> condition)
    {
        using var limit = new CancellationTokenSource(WaitLimit);
        while (!condition(this))
        {
            await _recorded.Reader.ReadAsync(limit.Token);
        }
    }

    public void Dispose() => _listener.Dispose();

    internal sealed record Measurement(string Instrument, string? Unit, long Value, KeyValuePair<string, object?>[] Tags);
}
