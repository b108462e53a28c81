using Polly;
using Polly.CircuitBreaker;
using Polly.Telemetry;
using Phoenix.Resilience.Pipelines;

namespace Phoenix.Resilience.Circuits;

/// <summary>
/// A Polly strategy for the two breaker modes Polly lacks: <see cref="CircuitBreakerMode.ConsecutiveFailures"/>
/// and <see cref="CircuitBreakerMode.SlowCallRate"/>. Closed → Open when the mode's trigger fires;
/// Open rejects with <see cref="BrokenCircuitException"/> (carrying the time left) for the break duration;
/// then Half-open lets exactly one probe through: a fast success closes, anything else opens again.
/// </summary>
internal sealed class PhoenixCircuitBreakerStrategy : ResilienceStrategy
{
    private readonly CircuitEntry _entry;
    private readonly CircuitBreakerOptions _settings;
    private readonly Func<Exception, bool> _shouldHandle;
    private readonly TimeProvider _time;
    private readonly ResilienceStrategyTelemetry _telemetry;
    private readonly Lock _lock = new();
    private int _consecutiveFailures;
    private long _openUntil;
    private bool _probeInFlight;

    public PhoenixCircuitBreakerStrategy(PhoenixCircuitBreakerStrategyOptions options, TimeProvider time, ResilienceStrategyTelemetry telemetry)
    {
        _settings = options.Settings;
        _shouldHandle = options.ShouldHandle;
        _time = time;
        _telemetry = telemetry;
        _entry = options.Registry!.GetOrAdd(options.CircuitName, _settings.Mode, _settings.SamplingDuration);
        if (_entry.State != CircuitState.Closed)
        {
            // A rebuilt pipeline inherits an open circuit: it stays open for a full break.
            _openUntil = _time.GetTimestamp() + Ticks(_settings.BreakDuration);
        }
    }

    protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        var admission = Admit(out var retryAfter);
        if (admission == Admission.Rejected)
        {
            var rejected = new BrokenCircuitException($"The circuit '{_entry.Name}' is open.", retryAfter);
            _telemetry.SetTelemetrySource(rejected);
            return Outcome.FromException<TResult>(rejected);
        }

        var started = _time.GetTimestamp();
        var outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        var slow = _settings.Mode == CircuitBreakerMode.SlowCallRate && _time.GetElapsedTime(started) >= _settings.SlowCallDuration;
        var failure = outcome.Exception is { } exception && _shouldHandle(exception);
        Settle(admission == Admission.Probe, failure, slow, context);
        return outcome;
    }

    private Admission Admit(out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        switch (_entry.State)
        {
            case CircuitState.Closed:
                return Admission.Normal;
            case CircuitState.Isolated:
                retryAfter = _settings.BreakDuration;
                return Admission.Rejected;
        }

        lock (_lock)
        {
            var now = _time.GetTimestamp();
            if (_entry.State == CircuitState.Open && now >= _openUntil)
            {
                _entry.Transition(CircuitState.HalfOpen);
            }

            if (_entry.State == CircuitState.HalfOpen && !_probeInFlight)
            {
                _probeInFlight = true;
                return Admission.Probe;
            }

            if (_entry.State == CircuitState.Closed)
            {
                return Admission.Normal;
            }

            retryAfter = _entry.State == CircuitState.Open ? _time.GetElapsedTime(now, _openUntil) : _settings.BreakDuration;
            return Admission.Rejected;
        }
    }

    private void Settle(bool probe, bool failure, bool slow, ResilienceContext context)
    {
        bool opened;
        lock (_lock)
        {
            if (probe)
            {
                _probeInFlight = false;
                if (failure || slow)
                {
                    Open();
                    opened = true;
                }
                else
                {
                    _consecutiveFailures = 0;
                    _entry.Transition(CircuitState.Closed);
                    opened = false;
                }
            }
            else if (_entry.State != CircuitState.Closed)
            {
                // A call admitted before the circuit opened: it neither opens nor closes it.
                _entry.Record(failure, slow);
                return;
            }
            else
            {
                opened = _settings.Mode == CircuitBreakerMode.ConsecutiveFailures
                    ? CountConsecutive(failure, slow)
                    : CountRates(failure, slow);
                if (opened)
                {
                    Open();
                }
            }
        }

        if (opened || probe)
        {
            _telemetry.Report(
                new ResilienceEvent(opened ? ResilienceEventSeverity.Error : ResilienceEventSeverity.Information, opened ? "OnCircuitOpened" : "OnCircuitClosed"),
                context,
                new PhoenixCircuitEventArguments(_entry.Name, _entry.State));
        }
    }

    private bool CountConsecutive(bool failure, bool slow)
    {
        _entry.Record(failure, slow);
        _consecutiveFailures = failure ? _consecutiveFailures + 1 : 0;
        return _consecutiveFailures >= _settings.ConsecutiveFailures;
    }

    private bool CountRates(bool failure, bool slow)
    {
        var (calls, failures, slowCalls) = _entry.RecordAndCount(failure, slow);
        if (calls < _settings.MinimumThroughput)
        {
            return false;
        }

        return (double)slowCalls / calls >= _settings.SlowCallRatio || (double)failures / calls >= _settings.FailureRatio;
    }

    private void Open()
    {
        _consecutiveFailures = 0;
        _openUntil = _time.GetTimestamp() + Ticks(_settings.BreakDuration);
        _entry.Transition(CircuitState.Open);
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private enum Admission
    {
        Normal,
        Probe,
        Rejected,
    }
}
