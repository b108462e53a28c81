using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Phoenix.Gateway.Tests.Forwarding;

/// <summary>
/// Counts what the in-process executors themselves report on meter <c>Phoenix.Executor</c>: finished runs
/// (<c>phoenix.executor.runs</c>) and runs executing now (<c>phoenix.executor.run.in_flight</c>). Every app has
/// its own <see cref="IMeterFactory"/>, which is the meter's scope: measurements are attributed to an executor by
/// that scope, so executors of other tests running at the same time are ignored, and a restarted executor keeps
/// adding to the same count.
/// </summary>
public sealed class ExecutorRunCounter : IDisposable
{
    private const string MeterName = "Phoenix.Executor";
    private const string RunsInstrument = "phoenix.executor.runs";
    private const string InFlightInstrument = "phoenix.executor.run.in_flight";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<object, string> _scopes = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<string, long> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _inFlight = new(StringComparer.Ordinal);
    private readonly Lock _observe = new();

    public ExecutorRunCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name is RunsInstrument or InFlightInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == RunsInstrument && NameOf(instrument) is { } name)
            {
                _runs.AddOrUpdate(name, value, (_, total) => total + value);
            }
        });
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (instrument.Name == InFlightInstrument && NameOf(instrument) is { } name)
            {
                _inFlight[name] = value;
            }
        });
        _listener.Start();
    }

    /// <summary>Attributes the meters created by <paramref name="meterFactory"/> (one executor app) to <paramref name="executor"/>.</summary>
    public void Register(IMeterFactory meterFactory, string executor) => _scopes[meterFactory] = executor;

    /// <summary>Runs the executor finished (whatever their status), over every start of it.</summary>
    public long Runs(string executor) => _runs.TryGetValue(executor, out var count) ? count : 0;

    /// <summary>Runs executing on the executor now (0 when it is stopped).</summary>
    public int InFlight(string executor)
    {
        lock (_observe)
        {
            _inFlight.Clear();
            _listener.RecordObservableInstruments();
            return _inFlight.TryGetValue(executor, out var count) ? count : 0;
        }
    }

    public void Dispose() => _listener.Dispose();

    private string? NameOf(Instrument instrument) =>
        instrument.Meter.Scope is { } scope && _scopes.TryGetValue(scope, out var name) ? name : null;
}
