using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Phoenix.Resilience.Degradation;

namespace Phoenix.Resilience.Tests.Degradation;

public sealed class DegradedModeServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddPhoenixDegradedMode_WithSignal_ResolvesDegradedModeAndHealthCheck()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddPhoenixDegradedMode().AddDegradationSignal<AlwaysDegradedSignal>().AddDegradationSignal<AlwaysDegradedSignal>();
        await using var provider = services.BuildServiceProvider();

        var mode = provider.GetRequiredService<IDegradedMode>();
        mode.Evaluate();
        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Single(provider.GetServices<IDegradationSignal>());
        Assert.True(mode.IsDegraded);
        Assert.Equal(HealthStatus.Degraded, report.Entries[DegradedModeServiceCollectionExtensions.HealthCheckName].Status);
    }

    [Fact]
    public async Task AddPhoenixDegradedMode_Section_BindsOptions()
    {
        var section = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["EvaluationInterval"] = "00:00:10", ["MinimumDwellTime"] = "00:01:00" })
            .Build();
        var services = new ServiceCollection().AddPhoenixDegradedMode(section).AddPhoenixDegradedMode();
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<DegradedModeOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(10), options.EvaluationInterval);
        Assert.Equal(TimeSpan.FromMinutes(1), options.MinimumDwellTime);
    }

    [Fact]
    public async Task AddPhoenixDegradedMode_InvalidOptions_FailsValidation()
    {
        var section = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["EvaluationInterval"] = "00:00:00" })
            .Build();
        await using var provider = new ServiceCollection().AddPhoenixDegradedMode(section).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DegradedModeOptions>>().Value);

        Assert.Contains(nameof(DegradedModeOptions.EvaluationInterval), error.Message, StringComparison.Ordinal);
    }

    private sealed class AlwaysDegradedSignal : IDegradationSignal
    {
        public string Name => "always";

        public bool IsDegraded => true;
    }
}
