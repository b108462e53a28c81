using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Phoenix.Resilience.Security;
using Phoenix.Resilience.Telemetry;

namespace Phoenix.Resilience.Degradation;

/// <summary>
/// The <see cref="IDegradedMode"/> of a service: manual entry wins, otherwise the signals decide,
/// with a minimum dwell time before an automatic exit. Evaluation starts when the instance is created
/// (first resolved) and repeats on a <see cref="TimeProvider"/> timer.
/// </summary>
internal sealed partial class DegradedMode : IDegradedMode, IDisposable
{
    internal const string GaugeName = "phoenix.degraded_mode";
    internal const string TransitionsName = "phoenix.degraded_mode.transitions";

    private readonly IDegradationSignal[] _signals;
    private readonly TimeSpan _dwell;
    private readonly TimeProvider _time;
    private readonly ILogger _security;
    private readonly ILogger _logger;
    private readonly Meter? _ownedMeter;
    private readonly Counter<long> _transitions;
    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private DegradedState _state;
    private string? _manualReason;
    private long? _lastDegradedSignalAt;

    public DegradedMode(
        IEnumerable<IDegradationSignal> signals,
        IOptions<DegradedModeOptions> options,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _signals = signals.ToArray();
        var value = options.Value;
        _dwell = value.MinimumDwellTime;
        _time = timeProvider;
        _security = loggerFactory.CreateLogger(SecurityEventIds.Category);
        _logger = loggerFactory.CreateLogger<DegradedMode>();
        _state = new DegradedState { IsDegraded = false, Source = DegradationSource.None, Since = timeProvider.GetUtcNow() };

        var meter = ResilienceTelemetry.CreateMeter(meterFactory);
        _ownedMeter = meterFactory is null ? meter : null;
        meter.CreateObservableGauge(GaugeName, () => IsDegraded ? 1 : 0, "{state}", "1 while the service is in degraded mode, 0 otherwise.");
        _transitions = meter.CreateCounter<long>(TransitionsName, "{transition}", "Entries into and exits from degraded mode.");

        _timer = timeProvider.CreateTimer(static self => ((DegradedMode)self!).Evaluate(), this, value.EvaluationInterval, value.EvaluationInterval);
    }

    /// <inheritdoc />
    public event Action<DegradedState>? Changed;

    /// <inheritdoc />
    public bool IsDegraded => State.IsDegraded;

    /// <inheritdoc />
    public DegradedState State => Volatile.Read(ref _state);

    /// <inheritdoc />
    public void Enter(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        DegradedState? changed;
        lock (_lock)
        {
            _manualReason = reason;
            changed = Apply(DegradationSource.Manual, reason, DegradationSource.Manual);
        }

        Notify(changed);
    }

    /// <inheritdoc />
    public void Exit()
    {
        var degradedSignals = ReadSignals();
        DegradedState? changed;
        lock (_lock)
        {
            _manualReason = null;
            _lastDegradedSignalAt = null;
            changed = degradedSignals is null
                ? Apply(DegradationSource.None, null, DegradationSource.Manual)
                : Apply(DegradationSource.Automatic, degradedSignals, DegradationSource.Manual);
        }

        Notify(changed);
    }

    /// <inheritdoc />
    public void Evaluate()
    {
        var degradedSignals = ReadSignals();
        DegradedState? changed = null;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            if (degradedSignals is not null)
            {
                _lastDegradedSignalAt = now;
            }

            if (_manualReason is not null)
            {
                // A manual entry wins until Exit.
            }
            else if (degradedSignals is not null)
            {
                changed = Apply(DegradationSource.Automatic, degradedSignals, DegradationSource.Automatic);
            }
            else if (_state.IsDegraded
                && (_lastDegradedSignalAt is not { } last || _time.GetElapsedTime(last, now) >= _dwell))
            {
                changed = Apply(DegradationSource.None, null, DegradationSource.Automatic);
            }
        }

        Notify(changed);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _timer.Dispose();
        _ownedMeter?.Dispose();
    }

    /// <summary>Returns the names of the degraded signals joined for a reason, or <see langword="null"/> when none is.</summary>
    private string? ReadSignals()
    {
        List<string>? degraded = null;
        foreach (var signal in _signals)
        {
            bool isDegraded;
            try
            {
                isDegraded = signal.IsDegraded;
            }
            catch (Exception ex)
            {
                LogSignalFailed(_logger, signal.Name, ex);
                isDegraded = true;
            }

            if (isDegraded)
            {
                (degraded ??= []).Add(signal.Name);
            }
        }

        return degraded is null ? null : "Degraded signals: " + string.Join(", ", degraded);
    }

    /// <summary>Moves to the state described; returns the new state when it changed. Call under the lock.</summary>
    private DegradedState? Apply(DegradationSource source, string? reason, DegradationSource cause)
    {
        var current = _state;
        var isDegraded = source != DegradationSource.None;
        if (current.IsDegraded == isDegraded && current.Source == source && current.Reason == reason)
        {
            return null;
        }

        var next = new DegradedState
        {
            IsDegraded = isDegraded,
            Source = source,
            Reason = reason,
            Since = current.IsDegraded == isDegraded ? current.Since : _time.GetUtcNow(),
        };
        Volatile.Write(ref _state, next);

        var sourceTag = cause == DegradationSource.Manual ? "manual" : "automatic";
        if (current.IsDegraded != isDegraded)
        {
            var direction = isDegraded ? "enter" : "exit";
            _transitions.Add(1, new KeyValuePair<string, object?>("direction", direction), new KeyValuePair<string, object?>("source", sourceTag));
        }

        LogChanged(
            _security,
            isDegraded ? LogLevel.Warning : LogLevel.Information,
            isDegraded ? "on" : "off",
            sourceTag,
            reason ?? (cause == DegradationSource.Manual ? "manual exit" : "all signals healthy"));

        return next;
    }

    private void Notify(DegradedState? changed)
    {
        if (changed is not null)
        {
            Changed?.Invoke(changed);
        }
    }
}
