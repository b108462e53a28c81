using Polly.CircuitBreaker;
using Phoenix.Resilience.Pipelines;

namespace Phoenix.Resilience.Circuits;

/// <summary>
/// The registry's record of one circuit: its state, transitions and rolling outcome counts.
/// Breakers write to it; the registry reads it. A rebuilt pipeline reuses its circuit's entry.
/// </summary>
internal sealed class CircuitEntry
{
    private readonly CircuitRegistry _registry;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private OutcomeWindow _window;
    private int _state = (int)CircuitState.Closed;
    private DateTimeOffset _lastTransition;

    internal CircuitEntry(CircuitRegistry registry, string name, CircuitBreakerMode mode, TimeSpan samplingDuration, TimeProvider time)
    {
        _registry = registry;
        _time = time;
        Name = name;
        Mode = mode;
        _window = new OutcomeWindow(samplingDuration, time.TimestampFrequency);
        _lastTransition = time.GetUtcNow();
    }

    public string Name { get; }

    public CircuitBreakerMode Mode { get; private set; }

    public CircuitState State => (CircuitState)Volatile.Read(ref _state);

    /// <summary>Adopts a new configuration after a reload; the state is kept, the counts restart.</summary>
    public void Reconfigure(CircuitBreakerMode mode, TimeSpan samplingDuration)
    {
        lock (_lock)
        {
            Mode = mode;
            _window = new OutcomeWindow(samplingDuration, _time.TimestampFrequency);
        }
    }

    public void Record(bool failure, bool slow)
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            _window.Add(now, failure, slow);
        }
    }

    /// <summary>Records an outcome and returns the window's totals, atomically.</summary>
    public (int Calls, int Failures, int Slow) RecordAndCount(bool failure, bool slow)
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            _window.Add(now, failure, slow);
            return _window.Totals(now);
        }
    }

    public void ResetCounts()
    {
        lock (_lock)
        {
            _window.Clear();
        }
    }

    public void Transition(CircuitState to)
    {
        CircuitStateChange change;
        lock (_lock)
        {
            var from = (CircuitState)_state;
            if (from == to)
            {
                return;
            }

            var now = _time.GetUtcNow();
            change = new CircuitStateChange(Name, from, to, now);
            Volatile.Write(ref _state, (int)to);
            _lastTransition = now;
            if (to == CircuitState.Closed)
            {
                _window.Clear();
            }
        }

        _registry.OnTransition(change);
    }

    public CircuitInfo Describe()
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            var (calls, failures, slow) = _window.Totals(now);
            return new CircuitInfo(
                Name,
                Mode,
                State,
                calls == 0 ? 0 : (double)failures / calls,
                calls == 0 ? 0 : (double)slow / calls,
                calls,
                _lastTransition);
        }
    }
}
