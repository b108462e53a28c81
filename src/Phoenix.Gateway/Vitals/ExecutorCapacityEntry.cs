using System.ComponentModel.DataAnnotations;

namespace Phoenix.Gateway.Vitals;

/// <summary>
/// The vitals' view of one configured executor (<c>Phoenix:Gateway:Forwarding:Executors:i</c>): its name and the
/// optional <c>Capacity</c> key, the runs it may execute at once (its <c>Phoenix:Executor</c> concurrency), which the
/// executor does not report over gRPC.
/// </summary>
internal sealed record ExecutorCapacityEntry
{
    /// <summary>The executor's name, as in <see cref="Forwarding.ExecutorEndpointOptions.Name"/>.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>Runs it may execute at once; null (default) when unknown. 1..100 000.</summary>
    [Range(1, 100_000)]
    public int? Capacity { get; init; }
}
