using Phoenix.Gateway.Forwarding;

namespace Phoenix.Gateway.Vitals;

/// <summary>
/// The executors' capacities, bound from <see cref="ForwardingOptions.SectionName"/> (its <c>Executors:i:Capacity</c>
/// keys; the forwarding itself ignores them). Read at start; a value that is not an integer in 1..100 000 stops the start.
/// </summary>
internal sealed record ExecutorCapacityOptions
{
    /// <summary>The configured executors; null when none are configured (the default executor's capacity is unknown).</summary>
    public ExecutorCapacityEntry[]? Executors { get; init; }

    /// <summary>The capacity of <paramref name="name"/>; null when not configured.</summary>
    public int? CapacityOf(string name) =>
        Executors?.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.Ordinal))?.Capacity;

    /// <summary>Whether every configured capacity is in range.</summary>
    public bool IsValid() => Executors is null || Executors.All(e => e.Capacity is null or (>= 1 and <= 100_000));
}
