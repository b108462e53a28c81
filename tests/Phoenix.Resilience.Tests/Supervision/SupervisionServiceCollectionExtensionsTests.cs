using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Phoenix.Resilience.Supervision;

namespace Phoenix.Resilience.Tests.Supervision;

public sealed class SupervisionServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddSupervisedWorker_TwiceWithSection_RegistersOneSupervisorAndWorker()
    {
        var section = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["InitialDelay"] = "00:00:02", ["CrashLoopThreshold"] = "7" })
            .Build();
        var services = new ServiceCollection()
            .AddSupervisedWorker<IdleWorker>()
            .AddSupervisedWorker<IdleWorker>()
            .AddPhoenixSupervisor(section);
        await using var provider = services.BuildServiceProvider();

        var hosted = Assert.Single(provider.GetServices<IHostedService>().OfType<WorkerSupervisor>());
        var options = provider.GetRequiredService<IOptions<SupervisorOptions>>().Value;
        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Same(provider.GetRequiredService<WorkerSupervisor>(), hosted);
        Assert.Single(provider.GetServices<ISupervisedWorker>());
        Assert.Equal(TimeSpan.FromSeconds(2), options.InitialDelay);
        Assert.Equal(7, options.CrashLoopThreshold);
        Assert.Equal(HealthStatus.Healthy, report.Entries[SupervisionServiceCollectionExtensions.HealthCheckName].Status);
    }

    [Fact]
    public async Task AddPhoenixSupervisor_InvalidOptions_ReportsEveryError()
    {
        var section = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["InitialDelay"] = "00:00:30",
                ["MaxDelay"] = "00:00:10",
                ["CrashLoopThreshold"] = "0",
            })
            .Build();
        await using var provider = new ServiceCollection().AddPhoenixSupervisor(section).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SupervisorOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains(nameof(SupervisorOptions.CrashLoopThreshold), StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains(nameof(SupervisorOptions.MaxDelay), StringComparison.Ordinal));
    }

    private sealed class IdleWorker : ISupervisedWorker
    {
        public string Name => "idle";

        public Task RunAsync(CancellationToken stoppingToken) => Task.Delay(Timeout.Infinite, stoppingToken);
    }
}
