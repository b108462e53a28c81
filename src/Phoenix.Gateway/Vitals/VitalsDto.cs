namespace Phoenix.Gateway.Vitals;

/// <summary>The data of one <c>vitals</c> event.</summary>
/// <param name="At">When it was sampled (the gateway's clock).</param>
/// <param name="Executors">Every configured executor, in configuration order.</param>
/// <param name="RequestRate">Requests answered per second over the last 10 complete seconds.</param>
/// <param name="ErrorRate">Share (0..1) of requests of the last 60 s answered with a status ≥ 500.</param>
/// <param name="LatencyMs">Latency percentiles over the last 60 s.</param>
internal sealed record VitalsDto(DateTimeOffset At, IReadOnlyList<ExecutorVitalsDto> Executors, double RequestRate, double ErrorRate, LatencyPercentilesDto LatencyMs);
