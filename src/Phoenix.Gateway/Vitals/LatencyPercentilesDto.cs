namespace Phoenix.Gateway.Vitals;

/// <summary>Latency percentiles of a <c>vitals</c> event, in milliseconds; null when no request was answered in the window.</summary>
/// <param name="P50">Median.</param>
/// <param name="P95">95th percentile.</param>
/// <param name="P99">99th percentile.</param>
internal sealed record LatencyPercentilesDto(double? P50, double? P95, double? P99);
