using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Options;

namespace Phoenix.Gateway.Forwarding;

/// <summary>Checks every executor's gRPC health on an interval; an executor that is not SERVING receives no new runs.</summary>
internal sealed partial class ExecutorHealthMonitor(ExecutorPool pool, IOptions<ForwardingOptions> options, TimeProvider time, ILogger<ExecutorHealthMonitor> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HealthInterval, time);
        do
        {
            await Task.WhenAll(pool.Endpoints.Select(e => CheckAsync(e, stoppingToken)));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task CheckAsync(ExecutorEndpoint endpoint, CancellationToken cancellationToken)
    {
        bool healthy;
        try
        {
            var client = new Health.HealthClient(endpoint.Channel);
            var response = await client.CheckAsync(new HealthCheckRequest(), deadline: time.GetUtcNow().UtcDateTime.AddSeconds(3), cancellationToken: cancellationToken);
            healthy = response.Status == HealthCheckResponse.Types.ServingStatus.Serving;
        }
        catch (RpcException)
        {
            healthy = false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        if (healthy != endpoint.Healthy)
        {
            LogHealthChanged(logger, endpoint.Name, healthy);
        }

        endpoint.Healthy = healthy;
    }

    [LoggerMessage(EventId = 4301, Level = LogLevel.Warning, Message = "Executor {Executor} is now {Healthy}")]
    private static partial void LogHealthChanged(ILogger logger, string executor, bool healthy);
}
