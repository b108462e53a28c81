using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Phoenix.Resilience.Degradation;
using Phoenix.Resilience.Security;
using Phoenix.Resilience.Tests.Support;

namespace Phoenix.Resilience.Tests.Degradation;

public sealed class DegradedModeTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeSignal _signal = new("executors");
    private readonly MeasurementRecorder _metrics = new();
    private readonly List<DegradedMode> _created = [];

    public void Dispose()
    {
        foreach (var mode in _created)
        {
            mode.Dispose();
        }

        _metrics.Dispose();
    }

    [Fact]
    public void Ctor_NoSignals_IsNotDegraded()
    {
        var mode = Create();

        Assert.False(mode.IsDegraded);
        Assert.Equal(DegradationSource.None, mode.State.Source);
        Assert.Null(mode.State.Reason);
    }

    [Fact]
    public void Enter_Manual_IsDegradedWithReasonAndSource()
    {
        var mode = Create();

        mode.Enter("maintenance");

        Assert.True(mode.IsDegraded);
        Assert.Equal(DegradationSource.Manual, mode.State.Source);
        Assert.Equal("maintenance", mode.State.Reason);
        Assert.Equal(_time.GetUtcNow(), mode.State.Since);
    }

    [Fact]
    public void Exit_AfterManualEnter_IsNotDegraded()
    {
        var mode = Create();
        mode.Enter("maintenance");

        mode.Exit();

        Assert.False(mode.IsDegraded);
        Assert.Equal(DegradationSource.None, mode.State.Source);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Enter_EmptyReason_Throws(string reason) =>
        Assert.Throws<ArgumentException>(() => Create().Enter(reason));

    [Fact]
    public void Evaluate_SignalDegraded_EntersAutomatically()
    {
        var mode = Create();
        _signal.IsDegraded = true;

        mode.Evaluate();

        Assert.True(mode.IsDegraded);
        Assert.Equal(DegradationSource.Automatic, mode.State.Source);
        Assert.Contains("executors", mode.State.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Timer_SignalDegraded_EntersAtNextEvaluationInterval()
    {
        var mode = Create();
        _signal.IsDegraded = true;

        _time.Advance(TimeSpan.FromSeconds(4));
        var beforeInterval = mode.IsDegraded;
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(beforeInterval);
        Assert.True(mode.IsDegraded);
    }

    [Fact]
    public void Evaluate_SignalRecovered_ExitsOnlyAfterDwellTime()
    {
        var mode = Create();
        _signal.IsDegraded = true;
        mode.Evaluate();
        _signal.IsDegraded = false;

        _time.Advance(TimeSpan.FromSeconds(29));
        mode.Evaluate();
        var beforeDwell = mode.IsDegraded;
        _time.Advance(TimeSpan.FromSeconds(1));
        mode.Evaluate();

        Assert.True(beforeDwell);
        Assert.False(mode.IsDegraded);
    }

    [Fact]
    public void Timer_SignalFlapsWithinDwellTime_StaysDegraded()
    {
        var mode = Create();
        _signal.IsDegraded = true;
        mode.Evaluate();

        for (var i = 0; i < 6; i++)
        {
            _signal.IsDegraded = i % 2 == 0;
            _time.Advance(TimeSpan.FromSeconds(5));
            Assert.True(mode.IsDegraded);
        }
    }

    [Fact]
    public void Evaluate_ZeroDwellTime_ExitsAtFirstHealthyEvaluation()
    {
        var mode = Create(new DegradedModeOptions { MinimumDwellTime = TimeSpan.Zero });
        _signal.IsDegraded = true;
        mode.Evaluate();
        _signal.IsDegraded = false;

        mode.Evaluate();

        Assert.False(mode.IsDegraded);
    }

    [Fact]
    public void Evaluate_ManualEntry_WinsOverHealthySignals()
    {
        var mode = Create();
        mode.Enter("maintenance");

        _time.Advance(TimeSpan.FromMinutes(5));
        mode.Evaluate();

        Assert.True(mode.IsDegraded);
        Assert.Equal(DegradationSource.Manual, mode.State.Source);
    }

    [Fact]
    public void Enter_WhileAutomaticallyDegraded_ManualWinsUntilExit()
    {
        var mode = Create(new DegradedModeOptions { MinimumDwellTime = TimeSpan.Zero });
        _signal.IsDegraded = true;
        mode.Evaluate();

        mode.Enter("operator");
        _signal.IsDegraded = false;
        mode.Evaluate();

        Assert.True(mode.IsDegraded);
        Assert.Equal(DegradationSource.Manual, mode.State.Source);
        Assert.Equal("operator", mode.State.Reason);
    }

    [Fact]
    public void Exit_SignalStillDegraded_StaysDegradedAutomatically()
    {
        var mode = Create();
        mode.Enter("maintenance");
        _signal.IsDegraded = true;

        mode.Exit();

        Assert.True(mode.IsDegraded);
        Assert.Equal(DegradationSource.Automatic, mode.State.Source);
    }

    [Fact]
    public void Exit_AutomaticWithinDwellTime_SkipsDwellTime()
    {
        var mode = Create();
        _signal.IsDegraded = true;
        mode.Evaluate();
        _signal.IsDegraded = false;

        mode.Exit();

        Assert.False(mode.IsDegraded);
    }

    [Fact]
    public void Evaluate_SignalThrows_CountsAsDegraded()
    {
        var mode = Create(signals: [new ThrowingSignal()]);

        mode.Evaluate();

        Assert.True(mode.IsDegraded);
    }

    [Fact]
    public void Changed_OnEnterAndExit_RaisedWithNewState()
    {
        var mode = Create();
        var states = new List<DegradedState>();
        mode.Changed += states.Add;

        mode.Enter("maintenance");
        mode.Enter("maintenance");
        mode.Exit();

        Assert.Collection(
            states,
            s => Assert.True(s.IsDegraded),
            s => Assert.False(s.IsDegraded));
    }

    [Fact]
    public void Transitions_ManualAndAutomatic_AreCountedWithDirectionAndSource()
    {
        var mode = Create(new DegradedModeOptions { MinimumDwellTime = TimeSpan.Zero });

        mode.Enter("maintenance");
        mode.Exit();
        _signal.IsDegraded = true;
        mode.Evaluate();
        mode.Evaluate();
        _signal.IsDegraded = false;
        mode.Evaluate();

        var transitions = _metrics.Of(DegradedMode.TransitionsName)
            .Select(m => $"{m.Tags["direction"]}/{m.Tags["source"]}:{m.Value}")
            .ToArray();
        Assert.Equal(["enter/manual:1", "exit/manual:1", "enter/automatic:1", "exit/automatic:1"], transitions);
    }

    [Fact]
    public void Gauge_WhileDegraded_ReportsOneThenZero()
    {
        var mode = Create();

        mode.Enter("maintenance");
        _metrics.Observe();
        mode.Exit();
        _metrics.Observe();

        Assert.Equal([1L, 0L], _metrics.Of(DegradedMode.GaugeName).Select(m => m.Value));
    }

    [Fact]
    public void Enter_Manual_LogsSecurityEvent()
    {
        var logs = new CapturingLoggerFactory();
        var mode = Create(loggerFactory: logs);

        mode.Enter("maintenance");

        var entry = Assert.Single(logs.Entries, e => e.EventId.Id == SecurityEventIds.DegradedModeChanged.Id);
        Assert.Equal(SecurityEventIds.Category, entry.Category);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains("maintenance", entry.Message, StringComparison.Ordinal);
    }

    private DegradedMode Create(DegradedModeOptions? options = null, IDegradationSignal[]? signals = null, ILoggerFactory? loggerFactory = null)
    {
        var mode = new DegradedMode(
            signals ?? [_signal],
            Options.Create(options ?? new DegradedModeOptions()),
            _time,
            loggerFactory ?? NullLoggerFactory.Instance,
            _metrics.MeterFactory);
        _created.Add(mode);
        return mode;
    }

    private sealed class ThrowingSignal : IDegradationSignal
    {
        public string Name => "broken";

        public bool IsDegraded => throw new InvalidOperationException("broken signal");
    }
}
