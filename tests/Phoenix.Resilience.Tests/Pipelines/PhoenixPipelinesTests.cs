using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using Phoenix.Resilience.Circuits;
using Phoenix.Resilience.Configuration;
using Phoenix.Resilience.Pipelines;
using Phoenix.Resilience.Security;
using Phoenix.Resilience.Tests.Support;

namespace Phoenix.Resilience.Tests.Pipelines;

public sealed class PhoenixPipelinesTests : IDisposable
{
    private const string Prefix = "Phoenix:Resilience:Pipelines:";
    private readonly FakeTimeProvider _time = new();
    private readonly CapturingLoggerFactory _logs = new();
    private readonly IConfigurationRoot _config;
    private ServiceProvider? _provider;

    public PhoenixPipelinesTests()
    {
        _config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [Prefix + "executor:CircuitBreaker:Mode"] = "ConsecutiveFailures",
            [Prefix + "executor:CircuitBreaker:ConsecutiveFailures"] = "2",
            [Prefix + "executor:Timeout:Timeout"] = "00:00:05",
            [Prefix + "audit:CircuitBreaker:Mode"] = "ConsecutiveFailures",
            [Prefix + "audit:CircuitBreaker:ConsecutiveFailures"] = "1",
        }).Build();
    }

    public void Dispose() => _provider?.Dispose();

    [Fact]
    public void Get_ConfiguredName_IsCaseInsensitiveAndBuiltFromConfiguration()
    {
        var pipelines = Start();

        var pipeline = pipelines.Get("Executor");
        Fail(pipeline);
        Fail(pipeline);

        Assert.Equal(CircuitState.Open, Circuits.Find("executor")!.State);
    }

    [Fact]
    public void Get_UnknownName_ThrowsNamingKnownPipelines()
    {
        var pipelines = Start();

        var ex = Assert.Throws<KeyNotFoundException>(() => pipelines.Get("nope"));

        Assert.Contains("executor", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reload_ChangedPipeline_IsRebuiltWithNewSettings()
    {
        var pipelines = Start();
        var pipeline = pipelines.Get("executor");
        Fail(pipeline);

        _config[Prefix + "executor:CircuitBreaker:ConsecutiveFailures"] = "3";
        _config.Reload();
        Fail(pipeline);
        Fail(pipeline);

        Assert.Equal(CircuitState.Closed, Circuits.Find("executor")!.State);
        Fail(pipeline);
        Assert.Equal(CircuitState.Open, Circuits.Find("executor")!.State);
    }

    [Fact]
    public void Reload_OtherPipelineChanged_UntouchedPipelineKeepsItsFailureCount()
    {
        var pipelines = Start();
        var executor = pipelines.Get("executor");
        Fail(executor);

        _config[Prefix + "audit:Timeout:Timeout"] = "00:00:09";
        _config.Reload();
        Fail(executor);

        Assert.Throws<BrokenCircuitException>(() => executor.Execute(() => 1));
    }

    [Fact]
    public void Reload_PipelineRebuilt_OpenCircuitStaysOpen()
    {
        var pipelines = Start();
        var audit = pipelines.Get("audit");
        Fail(audit);

        _config[Prefix + "audit:Timeout:Timeout"] = "00:00:09";
        _config.Reload();

        Assert.Throws<BrokenCircuitException>(() => audit.Execute(() => 1));
    }

    [Fact]
    public void Reload_InvalidValue_RejectedLastGoodStaysAndSecurityEventLogged()
    {
        var pipelines = Start();
        var pipeline = pipelines.Get("executor");

        _config[Prefix + "executor:CircuitBreaker:ConsecutiveFailures"] = "0";
        _config.Reload();
        Fail(pipeline);
        Fail(pipeline);

        Assert.Equal(CircuitState.Open, Circuits.Find("executor")!.State);
        Assert.NotNull(_provider!.GetRequiredService<ReloadableSnapshot<ResilienceOptions>>().LastRejection);
        Assert.Contains(_logs.Entries, e => e.EventId == SecurityEventIds.ConfigurationRejected && e.Message.Contains("ConsecutiveFailures", StringComparison.Ordinal));
    }

    [Fact]
    public void Reload_UnknownKey_Rejected()
    {
        Start();

        _config[Prefix + "executor:Retry:MaxRetryAtempts"] = "3";
        _config.Reload();

        Assert.NotNull(_provider!.GetRequiredService<ReloadableSnapshot<ResilienceOptions>>().LastRejection);
    }

    [Fact]
    public void Reload_NewPipelineAdded_AvailableWithoutRestart()
    {
        var pipelines = Start();

        _config[Prefix + "fresh:Timeout:Timeout"] = "00:00:01";
        _config.Reload();

        Assert.True(pipelines.TryGet("fresh", out _));
    }

    [Fact]
    public async Task Start_InvalidConfiguration_HostRefusesWithEveryError()
    {
        _config[Prefix + "executor:CircuitBreaker:ConsecutiveFailures"] = "0";
        _config[Prefix + "executor:Retry:BaseDelay"] = "00:00:05";
        _config[Prefix + "executor:Retry:MaxDelay"] = "00:00:01";
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddPhoenixResilience(_config);
        using var host = builder.Build();

        var ex = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(ex.Failures, f => f.Contains("ConsecutiveFailures", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("MaxDelay", StringComparison.Ordinal));
    }

    private CircuitRegistry Circuits => _provider!.GetRequiredService<CircuitRegistry>();

    private PhoenixPipelines Start()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(_logs);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton<TimeProvider>(_time);
        services.AddPhoenixResilience(_config);
        _provider = services.BuildServiceProvider();
        return _provider.GetRequiredService<PhoenixPipelines>();
    }

    private static void Fail(Polly.ResiliencePipeline pipeline) =>
        Assert.Throws<TimeoutException>(() => pipeline.Execute(() => throw new TimeoutException()));
}
