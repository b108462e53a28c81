using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Phoenix.Hosting.Tests.Support;
using Phoenix.Resilience.Configuration;
using Phoenix.Resilience.Security;

namespace Phoenix.Hosting.Tests;

public sealed class ReloadableOptionsExtensionsTests : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };
    private readonly CapturingLoggerProvider _logs = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("phoenix-hosting-tests-").FullName;

    public void Dispose()
    {
        _logs.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void AddReloadableOptions_ValidChange_AppliedOnReload()
    {
        var root = Config(("Sample:Limit", "10"), ("Sample:Name", "first"));
        using var services = Services(s => s.AddReloadableOptions<SampleOptions>("sample", root.GetSection("Sample")));
        var snapshot = services.GetRequiredService<ReloadableSnapshot<SampleOptions>>();

        root["Sample:Limit"] = "20";
        root["Sample:Name"] = "second";
        root.Reload();

        Assert.Equal(20, snapshot.Current.Limit);
        Assert.Equal("second", snapshot.Current.Name);
        Assert.Equal(2, snapshot.Version);
        Assert.Null(snapshot.LastRejection);
    }

    [Fact]
    public void AddReloadableOptions_InvalidChange_RejectedLastGoodKeptAndSecurityEventLogged()
    {
        var root = Config(("Sample:Limit", "10"), ("Sample:Name", "first"));
        using var services = Services(s => s.AddReloadableOptions<SampleOptions>("sample", root.GetSection("Sample")));
        var snapshot = services.GetRequiredService<ReloadableSnapshot<SampleOptions>>();

        root["Sample:Limit"] = "500";
        root.Reload();

        Assert.Equal(10, snapshot.Current.Limit);
        Assert.Equal(1, snapshot.Version);
        var rejection = Assert.IsType<ReloadRejection>(snapshot.LastRejection);
        Assert.Equal("sample", rejection.Source);
        Assert.Contains(rejection.Errors, e => e.Contains(nameof(SampleOptions.Limit), StringComparison.Ordinal));
        var log = Assert.Single(_logs.Logs, l => l.EventId.Id == SecurityEventIds.ConfigurationRejected.Id);
        Assert.Equal(SecurityEventIds.Category, log.Category);
        Assert.Equal(LogLevel.Warning, log.Level);
    }

    [Fact]
    public async Task AddReloadableOptions_InvalidChange_ReadinessDegradedUntilFixed()
    {
        var builder = LoopbackApp.CreateBuilder(new Dictionary<string, string?> { ["Sample:Limit"] = "10" }).AddServiceDefaults();
        builder.Services.AddReloadableOptions<SampleOptions>("sample", sp => sp.GetRequiredService<IConfiguration>().GetSection("Sample"));
        var app = builder.Build();
        app.MapDefaultEndpoints();
        await using var host = await LoopbackApp.StartAsync(app);
        var configuration = (IConfigurationRoot)host.App.Configuration;

        configuration["Sample:Limit"] = "500";
        configuration.Reload();
        using var degraded = await host.Client.GetAsync("/readyz");
        var degradedBody = await degraded.Content.ReadAsStringAsync();
        configuration["Sample:Limit"] = "50";
        configuration.Reload();
        using var healthy = await host.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, degraded.StatusCode);
        using var json = JsonDocument.Parse(degradedBody);
        Assert.Equal("Degraded", json.RootElement.GetProperty("status").GetString());
        var check = json.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "configuration");
        Assert.Equal("Degraded", check.GetProperty("status").GetString());
        Assert.Contains("sample", check.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        Assert.Contains("\"status\":\"Healthy\"", await healthy.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(50, host.App.Services.GetRequiredService<ReloadableSnapshot<SampleOptions>>().Current.Limit);
    }

    [Fact]
    public async Task AddReloadableOptions_InvalidFirstLoad_StartThrowsListingEveryError()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sample:Limit"] = "500",
            ["Sample:Name"] = "x",
            ["Other:Limit"] = "0",
        });
        builder.Services.AddReloadableOptions<SampleOptions>("sample", sp => sp.GetRequiredService<IConfiguration>().GetSection("Sample"));
        builder.Services.AddReloadableOptions<SampleOptions>("other", sp => sp.GetRequiredService<IConfiguration>().GetSection("Other"));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(3, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.StartsWith("sample:", StringComparison.Ordinal) && f.Contains(nameof(SampleOptions.Limit), StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("sample:", StringComparison.Ordinal) && f.Contains(nameof(SampleOptions.Name), StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("other:", StringComparison.Ordinal) && f.Contains(nameof(SampleOptions.Limit), StringComparison.Ordinal));
    }

    [Fact]
    public void AddReloadableOptions_UnknownKeyOnFirstLoad_Rejected()
    {
        var root = Config(("Sample:Limt", "10"));
        using var services = Services(s => s.AddReloadableOptions<SampleOptions>("sample", root.GetSection("Sample")));

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<ReloadableSnapshot<SampleOptions>>());

        Assert.Contains("Limt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddReloadableOptions_UnknownKeyOnReload_RejectedLastGoodKept()
    {
        var root = Config(("Sample:Limit", "10"));
        using var services = Services(s => s.AddReloadableOptions<SampleOptions>("sample", root.GetSection("Sample")));
        var snapshot = services.GetRequiredService<ReloadableSnapshot<SampleOptions>>();

        root["Sample:Limit"] = "20";
        root["Sample:Nmae"] = "typo";
        root.Reload();

        Assert.Equal(10, snapshot.Current.Limit);
        Assert.Contains(snapshot.LastRejection!.Errors, e => e.Contains("Nmae", StringComparison.Ordinal));
    }

    [Fact]
    public void AddReloadableOptions_ValidateOptionsRegistered_CrossFieldRuleApplied()
    {
        var root = Config(("Sample:Name", "allowed"));
        using var services = Services(s => s
            .AddSingleton<IValidateOptions<SampleOptions>, SampleOptionsValidator>()
            .AddReloadableOptions<SampleOptions>("sample", root.GetSection("Sample")));
        var snapshot = services.GetRequiredService<ReloadableSnapshot<SampleOptions>>();

        root["Sample:Name"] = "forbidden";
        root.Reload();

        Assert.Equal("allowed", snapshot.Current.Name);
        Assert.Contains(snapshot.LastRejection!.Errors, e => e.Contains("reserved", StringComparison.Ordinal));
    }

    [Fact]
    public void AddReloadableOptions_MissingSection_UsesDefaults()
    {
        var root = Config();
        using var services = Services(s => s.AddReloadableOptions<SampleOptions>("sample", root.GetSection("Sample")));

        var snapshot = services.GetRequiredService<ReloadableSnapshot<SampleOptions>>();

        Assert.Equal(new SampleOptions().Limit, snapshot.Current.Limit);
        Assert.Equal(new SampleOptions().Name, snapshot.Current.Name);
    }

    [Fact]
    public void AddReloadableOptions_TwoSnapshotsOfOneType_KeyedByNameFirstIsDefault()
    {
        var root = Config(("A:Limit", "1"), ("B:Limit", "2"));
        using var services = Services(s => s
            .AddReloadableOptions<SampleOptions>("a", root.GetSection("A"))
            .AddReloadableOptions<SampleOptions>("b", root.GetSection("B")));

        Assert.Equal(1, services.GetRequiredKeyedService<ReloadableSnapshot<SampleOptions>>("a").Current.Limit);
        Assert.Equal(2, services.GetRequiredKeyedService<ReloadableSnapshot<SampleOptions>>("b").Current.Limit);
        Assert.Same(
            services.GetRequiredKeyedService<ReloadableSnapshot<SampleOptions>>("a"),
            services.GetRequiredService<ReloadableSnapshot<SampleOptions>>());
    }

    [Fact]
    public void AddReloadableOptions_SameNameTwice_Throws()
    {
        var services = new ServiceCollection().AddReloadableOptions<SampleOptions>("sample", Config());

        Assert.Throws<InvalidOperationException>(() => services.AddReloadableOptions<SampleOptions>("sample", Config()));
    }

    [Fact]
    public async Task AddReloadableFile_FileRewritten_AppliedWithinPollingWait()
    {
        var path = WriteFile("""{"limit": 10, "name": "first"}""");
        using var services = Services(s => s.AddReloadableFile("policy", path, Parse), TimeProvider.System);
        var snapshot = services.GetRequiredService<ReloadableSnapshot<SampleOptions>>();
        var applied = new TaskCompletionSource<SampleOptions>(TaskCreationOptions.RunContinuationsAsynchronously);
        snapshot.Changed += value => applied.TrySetResult(value);

        ReplaceFile(path, """{"limit": 42, "name": "second"}""");
        var value = await applied.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(42, value.Limit);
        Assert.Equal(42, snapshot.Current.Limit);
    }

    [Fact]
    public void AddReloadableFile_ClockAdvancedAfterChange_ChangeApplied()
    {
        var time = new FakeTimeProvider();
        var path = WriteFile("""{"limit": 10}""");
        using var services = Services(s => s.AddReloadableFile("policy", path, Parse), time);
        var snapshot = services.GetRequiredService<ReloadableSnapshot<SampleOptions>>();

        ReplaceFile(path, """{"limit": 11, "name": "changed"}""");
        var before = snapshot.Current.Limit;
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(10, before);
        Assert.Equal(11, snapshot.Current.Limit);
        Assert.Equal("changed", snapshot.Current.Name);
    }

    [Fact]
    public void AddReloadableFile_InvalidContent_RejectedLastGoodKept()
    {
        var time = new FakeTimeProvider();
        var path = WriteFile("""{"limit": 10}""");
        using var services = Services(s => s.AddReloadableFile("policy", path, Parse), time);
        var snapshot = services.GetRequiredService<ReloadableSnapshot<SampleOptions>>();

        ReplaceFile(path, """{"limit": 1000, "extra": true, "broken": """);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(10, snapshot.Current.Limit);
        Assert.NotNull(snapshot.LastRejection);
        Assert.Contains(_logs.Logs, l => l.EventId.Id == SecurityEventIds.ConfigurationRejected.Id && l.Category == SecurityEventIds.Category);
    }

    [Fact]
    public void AddReloadableFile_FileDeleted_RejectedLastGoodKept()
    {
        var time = new FakeTimeProvider();
        var path = WriteFile("""{"limit": 10}""");
        using var services = Services(s => s.AddReloadableFile("policy", path, Parse), time);
        var snapshot = services.GetRequiredService<ReloadableSnapshot<SampleOptions>>();

        File.Delete(path);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(10, snapshot.Current.Limit);
        Assert.NotNull(snapshot.LastRejection);
    }

    [Fact]
    public async Task AddReloadableFile_MissingFileAtStart_StartThrows()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddReloadableFile("api-keys", Path.Combine(_directory, "missing.json"), Parse);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.StartsWith("api-keys:", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    private static SampleOptions Parse(Stream stream) =>
        JsonSerializer.Deserialize<SampleOptions>(stream, Json) ?? throw new InvalidDataException("empty");

    private static IConfigurationRoot Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();

    private ServiceProvider Services(Action<IServiceCollection> configure, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(_logs));
        services.AddSingleton<TimeProvider>(time ?? new FakeTimeProvider());
        configure(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private string WriteFile(string content)
    {
        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Replaces the file atomically, as operators are told to.</summary>
    private void ReplaceFile(string path, string content)
    {
        var temporary = Path.Combine(_directory, $"{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }
}
