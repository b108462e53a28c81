using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Phoenix.Resilience.Circuits;
using Phoenix.Resilience.Configuration;

namespace Phoenix.Resilience.Pipelines;

/// <summary>Registers Phoenix's configured pipelines, circuit registry and circuit health check.</summary>
public static class ResilienceServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PhoenixPipelines"/> bound to <c>Phoenix:Resilience</c> of <paramref name="configuration"/>
    /// (reloaded live; an invalid reload is rejected and the last good one stays), the <see cref="CircuitRegistry"/>,
    /// and a <c>circuits</c> health check tagged <c>ready</c>. An invalid configuration at start makes the host refuse
    /// to start, listing every error.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The root configuration.</param>
    /// <param name="predicates">Which failures retry and break. Default <see cref="PipelinePredicates.Default"/>.</param>
    public static IServiceCollection AddPhoenixResilience(this IServiceCollection services, IConfiguration configuration, PipelinePredicates? predicates = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddResiliencePipelineRegistry<string>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ResilienceOptions>, ResilienceOptionsValidator>());
        services.TryAddSingleton(sp => new ReloadableSnapshot<ResilienceOptions>(
            "resilience",
            () => Load(configuration),
            configuration.GetReloadToken,
            sp.GetServices<IValidateOptions<ResilienceOptions>>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new CircuitRegistry(
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton(sp => new PhoenixPipelines(
            sp.GetRequiredService<ReloadableSnapshot<ResilienceOptions>>(),
            sp.GetRequiredService<Polly.Registry.ResiliencePipelineRegistry<string>>(),
            sp.GetRequiredService<CircuitRegistry>(),
            predicates));
        services.AddOptions<ResilienceStartupCheck>().Configure<PhoenixPipelines>((_, pipelines) => GC.KeepAlive(pipelines)).ValidateOnStart();
        services.AddHealthChecks().AddCheck<CircuitHealthCheck>("circuits", HealthStatus.Degraded, ["ready"]);
        return services;
    }

    /// <summary>Binds <c>Phoenix:Resilience</c>; unknown keys are errors, names are case-insensitive.</summary>
    internal static ResilienceOptions Load(IConfiguration configuration)
    {
        var bound = configuration.GetSection(ResilienceOptions.SectionName).Get<ResilienceOptions>(o => o.ErrorOnUnknownConfiguration = true)
            ?? new ResilienceOptions();
        return bound with { Pipelines = new Dictionary<string, PipelineOptions>(bound.Pipelines, StringComparer.OrdinalIgnoreCase) };
    }

    /// <summary>Marker resolved at start so that building the pipelines' configuration happens before the host runs.</summary>
    internal sealed class ResilienceStartupCheck;
}
