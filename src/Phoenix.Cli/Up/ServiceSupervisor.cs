using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Phoenix.Resilience.Supervision;

namespace Phoenix.Cli.Up;

/// <summary>
/// Phoenix.Resilience's worker supervisor, outside a web host: restarts a crashed service with exponential
/// backoff (1 s doubling to 15 s) and gives up on a crash loop (5 crashes within 5 minutes).
/// </summary>
internal sealed class ServiceSupervisor : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly IHostedService[] _hosted;

    public ServiceSupervisor(IEnumerable<ISupervisedWorker> workers, TimeProvider time)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILoggerFactory), NullLoggerFactory.Instance);
        services.AddPhoenixSupervisor();
        services.Configure<SupervisorOptions>(o =>
        {
            o.InitialDelay = TimeSpan.FromSeconds(1);
            o.MaxDelay = TimeSpan.FromSeconds(15);
        });
        foreach (var worker in workers)
        {
            services.AddSingleton(worker);
        }

        _provider = services.BuildServiceProvider();
        _hosted = [.. _provider.GetServices<IHostedService>()];
    }

    public async Task StartAsync()
    {
        foreach (var service in _hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }
    }

    public async Task StopAsync()
    {
        foreach (var service in _hosted.Reverse())
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>The workers that failed for good (crash loop), with their last error.</summary>
    public async Task<IReadOnlyList<SupervisedWorkerStatus>> FailedAsync()
    {
        var report = await _provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return [.. report.Entries.Values
            .SelectMany(e => e.Data.Values.OfType<SupervisedWorkerStatus>())
            .Where(s => s.State == SupervisedWorkerState.Failed)];
    }

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
