using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Phoenix.Resilience.Degradation;

/// <summary>Registers degraded mode.</summary>
public static class DegradedModeServiceCollectionExtensions
{
    /// <summary>The name of the degraded-mode health check.</summary>
    public const string HealthCheckName = "degraded-mode";

    /// <summary>
    /// Registers <see cref="IDegradedMode"/> (singleton), its options (bound from <paramref name="section"/>
    /// when given, validated with DataAnnotations at start) and the <see cref="HealthCheckName"/> health check
    /// (tag <c>resilience</c>), which reports Degraded while the service is degraded. Uses the registered
    /// <see cref="TimeProvider"/> (<see cref="TimeProvider.System"/> if none) and <c>IMeterFactory</c> when present.
    /// Calling it again only binds the additional section.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="section">The configuration section of <see cref="DegradedModeOptions"/>, or <see langword="null"/> for the defaults.</param>
    /// <returns>The same service collection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddPhoenixDegradedMode(this IServiceCollection services, IConfiguration? section = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<DegradedModeOptions>();
        if (section is not null)
        {
            options.Bind(section);
        }

        if (services.Any(d => d.ServiceType == typeof(DegradedModeHealthCheck)))
        {
            return services;
        }

        options.ValidateDataAnnotations().ValidateOnStart();
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IDegradedMode, DegradedMode>();
        services.TryAddSingleton<DegradedModeHealthCheck>();
        services.AddHealthChecks().AddCheck<DegradedModeHealthCheck>(HealthCheckName, failureStatus: null, tags: ["resilience"]);
        return services;
    }

    /// <summary>Registers <typeparamref name="TSignal"/> as one more <see cref="IDegradationSignal"/> (singleton; registering the same type twice has no effect).</summary>
    /// <typeparam name="TSignal">The signal implementation.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <returns>The same service collection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddDegradationSignal<TSignal>(this IServiceCollection services)
        where TSignal : class, IDegradationSignal
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDegradationSignal, TSignal>());
        return services;
    }
}
