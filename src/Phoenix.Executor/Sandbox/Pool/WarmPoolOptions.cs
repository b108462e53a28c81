using System.ComponentModel.DataAnnotations;

namespace Phoenix.Executor.Sandbox.Pool;

/// <summary>
/// The warm sandbox pool (<c>Phoenix:Executor:Sandbox:WarmPool</c>), reloaded live: a change of
/// <see cref="Size"/> takes effect within seconds (surplus warm sandboxes are destroyed, missing ones started);
/// an invalid reload is rejected and the last good value stays.
/// </summary>
public sealed record WarmPoolOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Phoenix:Executor:Sandbox:WarmPool";

    /// <summary>
    /// Sandboxes kept started and waiting for a run; 0 turns the pool off (every run starts its own sandbox).
    /// Default 2: one per core of the reference machine (and the default <c>MaxConcurrentRuns</c> there), so a burst
    /// of that many runs starts warm; each idle one costs three sleeping processes, an empty tmpfs and a cgroup.
    /// A bigger pool only helps bigger bursts: under sustained load every run still costs one sandbox start, in the
    /// background instead of on the run's path. 0..256.
    /// </summary>
    [Range(0, 256)]
    public int Size { get; init; } = 2;
}
