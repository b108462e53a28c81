namespace Phoenix.Gateway.Vitals;

/// <summary>What <see cref="RequestStats"/> saw in its window at one moment.</summary>
/// <param name="RequestRate">Requests per second over the rate window (complete seconds only).</param>
/// <param name="Requests">Requests in the whole window.</param>
/// <param name="Errors">Of those, errors of the service (<see cref="RequestStats.IsError"/>).</param>
/// <param name="P50">Median latency in milliseconds; null without requests.</param>
/// <param name="P95">95th percentile latency in milliseconds; null without requests.</param>
/// <param name="P99">99th percentile latency in milliseconds; null without requests.</param>
internal sealed record RequestStatsSnapshot(double RequestRate, long Requests, long Errors, double? P50, double? P95, double? P99)
{
    /// <summary>Share of <see cref="Requests"/> that were errors (0 without requests).</summary>
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;
}
