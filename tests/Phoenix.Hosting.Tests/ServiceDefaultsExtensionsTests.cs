using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Phoenix.Hosting.Health;
using Phoenix.Hosting.Security;
using Phoenix.Hosting.Tests.Support;

namespace Phoenix.Hosting.Tests;

public sealed class ServiceDefaultsExtensionsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task MapDefaultEndpoints_Healthz_Returns200WithJsonAndOnlyLiveChecks()
    {
        var builder = LoopbackApp.CreateBuilder().AddServiceDefaults();
        builder.Services.AddHealthChecks().AddCheck("broken-dependency", () => HealthCheckResult.Unhealthy("down"), [HealthCheckTags.Ready]);
        await using var host = await LoopbackApp.StartAsync(Map(builder.Build()));

        using var response = await host.Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        var check = Assert.Single(body.RootElement.GetProperty("checks").EnumerateArray());
        Assert.Equal("self", check.GetProperty("name").GetString());
        Assert.Equal("Healthy", check.GetProperty("status").GetString());
        Assert.True(check.TryGetProperty("description", out _));
    }

    [Fact]
    public async Task MapDefaultEndpoints_ReadyCheckUnhealthy_Readyz503()
    {
        var builder = LoopbackApp.CreateBuilder().AddServiceDefaults();
        builder.Services.AddHealthChecks().AddCheck("executor", () => HealthCheckResult.Unhealthy("no executor"), [HealthCheckTags.Ready]);
        await using var host = await LoopbackApp.StartAsync(Map(builder.Build()));

        using var response = await host.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Unhealthy", body.RootElement.GetProperty("status").GetString());
        var names = body.RootElement.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Contains("executor", names);
        Assert.Contains("configuration", names);
        Assert.DoesNotContain("self", names);
    }

    [Fact]
    public async Task MapDefaultEndpoints_ReadyAndUntaggedChecksHealthy_Readyz200()
    {
        var builder = LoopbackApp.CreateBuilder().AddServiceDefaults();
        builder.Services.AddHealthChecks()
            .AddCheck("executor", () => HealthCheckResult.Healthy(), [HealthCheckTags.Ready])
            .AddCheck("untagged", () => HealthCheckResult.Healthy());
        await using var host = await LoopbackApp.StartAsync(Map(builder.Build()));

        using var response = await host.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        var names = body.RootElement.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Equal(["configuration", "executor", "untagged"], names.Order());
    }

    [Fact]
    public async Task MapDefaultEndpoints_UntaggedCheckUnhealthy_Readyz503ButHealthz200()
    {
        var builder = LoopbackApp.CreateBuilder().AddServiceDefaults();
        builder.Services.AddHealthChecks().AddCheck("untagged", () => HealthCheckResult.Unhealthy());
        await using var host = await LoopbackApp.StartAsync(Map(builder.Build()));

        using var ready = await host.Client.GetAsync("/readyz");
        using var live = await host.Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task MapDefaultEndpoints_MetricRecordedOnPhoenixMeter_AppearsInPrometheusScrape()
    {
        var builder = LoopbackApp.CreateBuilder().AddServiceDefaults();
        await using var host = await LoopbackApp.StartAsync(Map(builder.Build()));
        using var meter = new Meter("Phoenix.Test");
        var counter = meter.CreateCounter<long>("phoenix.test.scrapes");
        counter.Add(3);

        var text = await PollAsync(async () =>
        {
            var body = await host.Client.GetStringAsync("/metrics");
            return body.Contains("phoenix_test_scrapes", StringComparison.Ordinal) ? body : null;
        });

        Assert.Contains("# TYPE phoenix_test_scrapes", text, StringComparison.Ordinal);
        Assert.Matches(@"phoenix_test_scrapes(_total)?\{[^}]*\} 3", text);
    }

    [Fact]
    public async Task MapDefaultEndpoints_SecurityEvent_CountedInPrometheusScrape()
    {
        var builder = LoopbackApp.CreateBuilder().AddServiceDefaults();
        await using var host = await LoopbackApp.StartAsync(Map(builder.Build()));

        host.App.Services.GetRequiredService<ISecurityEventLog>().CircuitOpened("executor-0");

        var text = await PollAsync(async () =>
        {
            var body = await host.Client.GetStringAsync("/metrics");
            return body.Contains("phoenix_security_events", StringComparison.Ordinal) ? body : null;
        });
        Assert.Contains("event=\"CircuitOpened\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddServiceDefaults_ProbeAndScrapeRequests_AreNotTracedButApiRequestsAre()
    {
        var exported = new ConcurrentQueue<Activity>();
        var builder = LoopbackApp.CreateBuilder().AddServiceDefaults();
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(new ConcurrentActivityCollection(exported)));
        var app = Map(builder.Build());
        var apiPath = $"/api/v1/ping-{Guid.NewGuid():N}";
        app.MapGet(apiPath, () => "pong");
        var host = await LoopbackApp.StartAsync(app);
        var port = host.Port;
        try
        {
            foreach (var path in new[] { "/healthz", "/readyz", "/metrics", "/health", apiPath })
            {
                using var response = await host.Client.GetAsync(path);
            }
        }
        finally
        {
            // Stopping waits for in-flight requests, so every server activity has ended (and been exported).
            await host.DisposeAsync();
        }

        var ours = exported.Where(a => a.Kind == ActivityKind.Server && Equals(a.GetTagItem("server.port"), port)).ToList();
        var paths = ours.Select(a => a.GetTagItem("url.path") as string).ToList();
        Assert.Contains(apiPath, paths);
        Assert.DoesNotContain("/healthz", paths);
        Assert.DoesNotContain("/readyz", paths);
        Assert.DoesNotContain("/metrics", paths);
        Assert.DoesNotContain("/health", paths);
    }

    [Fact]
    public async Task AddServiceDefaults_ActivityOnPhoenixSource_Exported()
    {
        var exported = new ConcurrentQueue<Activity>();
        var builder = LoopbackApp.CreateBuilder().AddServiceDefaults();
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(new ConcurrentActivityCollection(exported)));
        await using var host = await LoopbackApp.StartAsync(builder.Build());
        using var source = new ActivitySource("Phoenix.Test");
        var name = $"run-{Guid.NewGuid():N}";

        using (source.StartActivity(name))
        {
        }

        Assert.Contains(exported, a => a.OperationName == name && a.Source.Name == "Phoenix.Test");
    }

    [Fact]
    public async Task AddServiceDefaults_ServiceNameConfigured_UsedAsResourceServiceName()
    {
        var builder = LoopbackApp.CreateBuilder(new Dictionary<string, string?> { ["Phoenix:ServiceName"] = "phoenix-test-gateway" }).AddServiceDefaults();
        await using var host = await LoopbackApp.StartAsync(builder.Build());

        var resource = host.App.Services.GetRequiredService<TracerProvider>().GetResource();

        Assert.Contains(resource.Attributes, a => a.Key == "service.name" && Equals(a.Value, "phoenix-test-gateway"));
    }

    [Fact]
    public async Task AddServiceDefaults_OnlyOtelServiceName_UsedAsResourceServiceName()
    {
        var builder = LoopbackApp.CreateBuilder(new Dictionary<string, string?> { ["OTEL_SERVICE_NAME"] = "executor" }).AddServiceDefaults();
        await using var host = await LoopbackApp.StartAsync(builder.Build());

        var resource = host.App.Services.GetRequiredService<TracerProvider>().GetResource();

        Assert.Contains(resource.Attributes, a => a.Key == "service.name" && Equals(a.Value, "executor"));
    }

    [Fact]
    public async Task AddServiceDefaults_PhoenixServiceNameAndOtelServiceName_PhoenixServiceNameWins()
    {
        var builder = LoopbackApp.CreateBuilder(new Dictionary<string, string?>
        {
            ["Phoenix:ServiceName"] = "phoenix-test-gateway",
            ["OTEL_SERVICE_NAME"] = "other",
        }).AddServiceDefaults();
        await using var host = await LoopbackApp.StartAsync(builder.Build());

        var resource = host.App.Services.GetRequiredService<TracerProvider>().GetResource();

        Assert.Contains(resource.Attributes, a => a.Key == "service.name" && Equals(a.Value, "phoenix-test-gateway"));
    }

    [Fact]
    public void AddServiceDefaults_GrpcServerInstrumentationNotConfigured_SwitchedOn()
    {
        var builder = LoopbackApp.CreateBuilder().AddServiceDefaults();

        Assert.Equal("true", builder.Configuration[ServiceDefaultsExtensions.GrpcServerInstrumentationKey]);
    }

    [Fact]
    public void AddServiceDefaults_GrpcServerInstrumentationConfiguredOff_StaysOff()
    {
        var builder = LoopbackApp.CreateBuilder(new Dictionary<string, string?> { [ServiceDefaultsExtensions.GrpcServerInstrumentationKey] = "false" }).AddServiceDefaults();

        Assert.Equal("false", builder.Configuration[ServiceDefaultsExtensions.GrpcServerInstrumentationKey]);
    }

    [Fact]
    public void AddServiceDefaults_NoLoggingConfiguration_FrameworkRequestLogsOffServiceLogsOn()
    {
        using var app = LoopbackApp.CreateBuilder().AddServiceDefaults().Build();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();

        // 4 to 5 Information lines per request: ~15 % of the gateway's CPU (docs/performance.md).
        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("Phoenix.Executor.Runs.RunCoordinator").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void AddServiceDefaults_FrameworkLevelConfigured_ConfigurationWins()
    {
        using var app = LoopbackApp.CreateBuilder(new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information" })
            .AddServiceDefaults().Build();

        Assert.True(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void AddServiceDefaults_ShutdownTimeoutConfigured_AppliedToHostOptions()
    {
        var builder = LoopbackApp.CreateBuilder(new Dictionary<string, string?> { ["Phoenix:ShutdownTimeoutSeconds"] = "7" }).AddServiceDefaults();
        using var app = (IDisposable)builder.Build();

        var options = ((IHost)app).Services.GetRequiredService<IOptions<HostOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(7), options.ShutdownTimeout);
    }

    [Fact]
    public void AddServiceDefaults_NoShutdownTimeout_Defaults30Seconds()
    {
        var builder = LoopbackApp.CreateBuilder().AddServiceDefaults();
        using var app = (IDisposable)builder.Build();

        var options = ((IHost)app).Services.GetRequiredService<IOptions<HostOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(30), options.ShutdownTimeout);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("601")]
    public async Task AddServiceDefaults_ShutdownTimeoutOutOfRange_StartThrows(string seconds)
    {
        var builder = LoopbackApp.CreateBuilder(new Dictionary<string, string?> { ["Phoenix:ShutdownTimeoutSeconds"] = seconds }).AddServiceDefaults();
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(nameof(ServiceDefaultsOptions.ShutdownTimeoutSeconds), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, ConsoleFormatterNames.Json)]
    [InlineData("json", ConsoleFormatterNames.Json)]
    [InlineData("text", ConsoleFormatterNames.Simple)]
    [InlineData("Text", ConsoleFormatterNames.Simple)]
    public void AddServiceDefaults_LoggingFormat_SelectsConsoleFormatter(string? format, string expected)
    {
        var builder = LoopbackApp.CreateBuilder(new Dictionary<string, string?> { ["Phoenix:Logging:Format"] = format }).AddServiceDefaults();
        using var app = (IDisposable)builder.Build();
        var services = ((IHost)app).Services;

        Assert.Equal(expected, services.GetRequiredService<IOptions<ConsoleLoggerOptions>>().Value.FormatterName);
        if (expected == ConsoleFormatterNames.Json)
        {
            var json = services.GetRequiredService<IOptionsMonitor<JsonConsoleFormatterOptions>>().CurrentValue;
            Assert.True(json.IncludeScopes);
            Assert.True(json.UseUtcTimestamp);
        }
    }

    [Fact]
    public void AddServiceDefaults_Registers_TimeProviderAndSecurityEventLog()
    {
        var builder = LoopbackApp.CreateBuilder().AddServiceDefaults();
        using var app = (IDisposable)builder.Build();
        var services = ((IHost)app).Services;

        Assert.Same(TimeProvider.System, services.GetRequiredService<TimeProvider>());
        Assert.NotNull(services.GetRequiredService<ISecurityEventLog>());
    }

    [Fact]
    public void AddServiceDefaults_TimeProviderAlreadyRegistered_KeepsIt()
    {
        var fake = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var builder = LoopbackApp.CreateBuilder();
        builder.Services.AddSingleton<TimeProvider>(fake);
        builder.AddServiceDefaults();
        using var app = (IDisposable)builder.Build();

        Assert.Same(fake, ((IHost)app).Services.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public async Task AddServiceDefaults_CalledTwice_StartsWithoutDuplicateHealthChecks()
    {
        var builder = LoopbackApp.CreateBuilder().AddServiceDefaults().AddServiceDefaults();
        await using var host = await LoopbackApp.StartAsync(Map(builder.Build()));

        using var response = await host.Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static WebApplication Map(WebApplication app)
    {
        app.MapDefaultEndpoints();
        return app;
    }

    private static async Task<string> PollAsync(Func<Task<string?>> attempt)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            if (await attempt() is { } result)
            {
                return result;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token);
        }
    }
}
