namespace Phoenix.Resilience.Degradation;

/// <summary>
/// One input of automatic degraded mode (an open circuit, a failing dependency, a saturated queue).
/// Register implementations as <see cref="IDegradationSignal"/> singletons (see
/// <see cref="DegradedModeServiceCollectionExtensions.AddDegradationSignal{TSignal}"/>); degraded mode
/// reads every signal on each evaluation and is degraded while any of them is.
/// </summary>
public interface IDegradationSignal
{
    /// <summary>A short stable name, shown in the degraded-mode reason (e.g. <c>executor-circuits</c>).</summary>
    string Name { get; }

    /// <summary>Whether this signal currently asks for degraded mode. Read often: must be cheap and must not block. A signal that throws counts as degraded.</summary>
    bool IsDegraded { get; }
}
