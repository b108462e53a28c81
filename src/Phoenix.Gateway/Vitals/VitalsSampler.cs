using Microsoft.Extensions.Options;
using Phoenix.Gateway.Forwarding;
using Polly.CircuitBreaker;

namespace Phoenix.Gateway.Vitals;

/// <summary>Takes one <see cref="VitalsDto"/>: the executor pool as it is now and the <see cref="RequestStats"/> window.</summary>
internal sealed class VitalsSampler(ExecutorPool pool, IOptions<ExecutorCapacityOptions> capacities, RequestStats stats, TimeProvider time)
{
    /// <summary>The window of <see cref="VitalsDto.RequestRate"/>.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(10);

    public VitalsDto Sample()
    {
        var configured = capacities.Value;
        var executors = pool.Endpoints
            .Select(e => new ExecutorVitalsDto(e.Name, e.Healthy ? "up" : "down", CircuitName(e.Circuit), e.InFlight, configured.CapacityOf(e.Name)))
            .ToArray();
        var window = stats.Snapshot(RateWindow);
        return new VitalsDto(time.GetUtcNow(), executors, window.RequestRate, window.ErrorRate, new LatencyPercentilesDto(window.P50, window.P95, window.P99));
    }

    /// <summary>The circuit as vitals name it; isolated (opened by hand) reads as <c>open</c>.</summary>
    internal static string CircuitName(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.HalfOpen => "half_open",
        _ => "open",
    };
}
