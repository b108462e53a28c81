namespace Phoenix.Resilience.Degradation;

/// <summary>
/// The service-wide degraded-mode switch. Features consult <see cref="IsDegraded"/> and shed
/// non-critical work while it is set.
/// </summary>
/// <remarks>
/// Two inputs: a manual entry (<see cref="Enter"/>), which wins over everything until <see cref="Exit"/>,
/// and the registered <see cref="IDegradationSignal"/>s, evaluated periodically
/// (<see cref="DegradedModeOptions.EvaluationInterval"/>) and on <see cref="Evaluate"/>. Automatic entry is
/// immediate; automatic exit happens once no signal has reported degraded for
/// <see cref="DegradedModeOptions.MinimumDwellTime"/>. Every change is logged as the security event
/// <c>DegradedModeChanged</c> (5011) and counted in <c>phoenix.degraded_mode.transitions</c>.
/// </remarks>
public interface IDegradedMode
{
    /// <summary>Whether the service is degraded now.</summary>
    bool IsDegraded { get; }

    /// <summary>The current state, with its source, reason and start time.</summary>
    DegradedState State { get; }

    /// <summary>Raised after the state changed (entered, left, or reason/source changed while degraded), with the new state. Handlers must not throw; they run on the thread that caused the change.</summary>
    event Action<DegradedState>? Changed;

    /// <summary>Enters degraded mode manually (or replaces the reason of a manual entry). Signals are ignored until <see cref="Exit"/>.</summary>
    /// <param name="reason">Why, for logs and health; must not be empty.</param>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is null, empty or white space.</exception>
    void Enter(string reason);

    /// <summary>
    /// Ends a manual entry and skips the minimum dwell time: the signals are evaluated at once, so the
    /// service stays (automatically) degraded only if a signal still says so. Has no effect when not degraded.
    /// </summary>
    void Exit();

    /// <summary>Reads the signals now instead of waiting for the next periodic evaluation.</summary>
    void Evaluate();
}
