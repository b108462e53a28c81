using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Phoenix.Hosting.Configuration;
using Phoenix.Hosting.Tests.Support;
using Phoenix.Resilience.Configuration;
using Phoenix.Resilience.Sanitization;

namespace Phoenix.Hosting.Tests.Configuration;

public sealed class ConfigurationHealthCheckTests
{
    [Fact]
    public async Task CheckHealthAsync_NoSnapshots_Healthy()
    {
        using var services = new ServiceCollection().AddLogging().BuildServiceProvider();

        var result = await Check(services);

        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public async Task CheckHealthAsync_AllSnapshotsApplied_Healthy()
    {
        var (services, _) = Build(("A:Limit", "1"), ("B:Limit", "2"));
        using (services)
        {
            var result = await Check(services);

            Assert.Equal(HealthStatus.Healthy, result.Status);
            Assert.Contains("2", result.Description, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task CheckHealthAsync_OneReloadRejected_DegradedNamingSourceAndErrors()
    {
        var (services, root) = Build(("A:Limit", "1"), ("B:Limit", "2"));
        using (services)
        {
            root["B:Limit"] = "1000";
            root.Reload();

            var result = await Check(services);

            Assert.Equal(HealthStatus.Degraded, result.Status);
            Assert.Contains("b rejected", result.Description, StringComparison.Ordinal);
            Assert.Contains(nameof(SampleOptions.Limit), result.Description, StringComparison.Ordinal);
            Assert.DoesNotContain("a rejected", result.Description, StringComparison.Ordinal);
            Assert.Equal(MessageSanitizer.Sanitize(result.Description), result.Description);
        }
    }

    [Fact]
    public async Task CheckHealthAsync_RejectedThenFixed_HealthyAgain()
    {
        var (services, root) = Build(("A:Limit", "1"));
        using (services)
        {
            root["A:Limit"] = "0";
            root.Reload();
            var degraded = await Check(services);
            root["A:Limit"] = "3";
            root.Reload();

            var healthy = await Check(services);

            Assert.Equal(HealthStatus.Degraded, degraded.Status);
            Assert.Equal(HealthStatus.Healthy, healthy.Status);
        }
    }

    [Fact]
    public async Task CheckHealthAsync_SnapshotCannotBeCreated_Unhealthy()
    {
        var (services, _) = Build(("A:Limit", "1"), ("B:Limit", "-1"));
        using (services)
        {
            var result = await Check(services);

            Assert.Equal(HealthStatus.Unhealthy, result.Status);
            Assert.Contains("b invalid", result.Description, StringComparison.Ordinal);
        }
    }

    private static (ServiceProvider Services, IConfigurationRoot Root) Build(params (string Key, string Value)[] values)
    {
        var root = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(new FakeTimeProvider())
            .AddReloadableOptions<SampleOptions>("a", root.GetSection("A"))
            .AddReloadableOptions<SampleOptions>("b", root.GetSection("B"))
            .BuildServiceProvider();

        // Created before any reload, as the host does at start.
        foreach (var name in new[] { "a", "b" })
        {
            try
            {
                services.GetRequiredKeyedService<ReloadableSnapshot<SampleOptions>>(name);
            }
            catch (OptionsValidationException)
            {
                // The "cannot be created" case.
            }
        }

        return (services, root);
    }

    private static Task<HealthCheckResult> Check(IServiceProvider services) =>
        ActivatorUtilities.CreateInstance<ConfigurationHealthCheck>(services).CheckHealthAsync(new HealthCheckContext());
}
