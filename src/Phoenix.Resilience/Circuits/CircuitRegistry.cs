using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly.CircuitBreaker;
using Phoenix.Resilience.Pipelines;
using Phoenix.Resilience.Security;
using Phoenix.Resilience.Telemetry;

namespace Phoenix.Resilience.Circuits;

/// <summary>
/// Every circuit breaker of the service: name, state, failure ratio, last transition. Reported by
/// <see cref="CircuitHealthCheck"/>, by the <c>phoenix.circuit.state</c> gauge and to
/// <see cref="StateChanged"/> subscribers. Breakers built by Phoenix pipelines register themselves.
/// </summary>
public sealed partial class CircuitRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, CircuitEntry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeProvider _time;
    private readonly ILogger _security;
    private readonly Meter _meter;
    private readonly Counter<long> _transitions;

    /// <summary>Creates a registry.</summary>
    /// <param name="timeProvider">Clock for transition times and windows. Default <see cref="TimeProvider.System"/>.</param>
    /// <param name="meterFactory">Meter factory; a standalone meter when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where circuit-opened security events go.</param>
    public CircuitRegistry(TimeProvider? timeProvider = null, IMeterFactory? meterFactory = null, ILoggerFactory? loggerFactory = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _security = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(SecurityEventIds.Category);
        _meter = ResilienceTelemetry.CreateMeter(meterFactory);
        _transitions = _meter.CreateCounter<long>("phoenix.circuit.transitions", "{transition}", "Circuit state transitions, by circuit and new state.");
        _meter.CreateObservableGauge(
            "phoenix.circuit.state",
            () => _entries.Values.Select(e => new Measurement<int>((int)e.State, new KeyValuePair<string, object?>("circuit.name", e.Name))),
            "{state}",
            "Circuit state: 0 closed, 1 open, 2 half-open, 3 isolated.");
    }

    /// <summary>Raised after any circuit changes state. Handlers must not throw or block.</summary>
    public event Action<CircuitStateChange>? StateChanged;

    /// <summary>Every circuit, by name.</summary>
    public IReadOnlyList<CircuitInfo> Snapshot() =>
        _entries.Values.Select(e => e.Describe()).OrderBy(i => i.Name, StringComparer.OrdinalIgnoreCase).ToArray();

    /// <summary>One circuit, or <see langword="null"/> when none has that name.</summary>
    public CircuitInfo? Find(string name) => _entries.TryGetValue(name, out var entry) ? entry.Describe() : null;

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    internal CircuitEntry GetOrAdd(string name, CircuitBreakerMode mode, TimeSpan samplingDuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var entry = _entries.GetOrAdd(name, n => new CircuitEntry(this, n, mode, samplingDuration, _time));
        if (entry.Mode != mode)
        {
            entry.Reconfigure(mode, samplingDuration);
        }

        return entry;
    }

    internal void OnTransition(CircuitStateChange change)
    {
        _transitions.Add(1, new KeyValuePair<string, object?>("circuit.name", change.Name), new KeyValuePair<string, object?>("circuit.state", StateName(change.To)));
        if (change.To == CircuitState.Open)
        {
            LogCircuitOpened(_security, change.Name, StateName(change.From));
        }

        try
        {
            StateChanged?.Invoke(change);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogHandlerFailed(_security, change.Name, ex);
        }
    }

    internal static string StateName(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half_open",
        CircuitState.Isolated => "isolated",
        _ => "unknown",
    };

    [LoggerMessage(EventId = 5010, EventName = "CircuitOpened", Level = LogLevel.Warning, Message = "Circuit {Circuit} opened (was {From})")]
    private static partial void LogCircuitOpened(ILogger logger, string circuit, string from);

    [LoggerMessage(EventId = 5090, EventName = "CircuitHandlerFailed", Level = LogLevel.Error, Message = "A state-change handler of circuit {Circuit} threw")]
    private static partial void LogHandlerFailed(ILogger logger, string circuit, Exception exception);
}
