using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Phoenix.Resilience.Supervision;

/// <summary>Registers the worker supervisor and supervised workers.</summary>
public static class SupervisionServiceCollectionExtensions
{
    /// <summary>The name of the supervisor health check.</summary>
    public const string HealthCheckName = "supervisor";

    /// <summary>
    /// Registers the supervisor hosted service, its options (bound from <paramref name="section"/> when
    /// given, validated with DataAnnotations and cross-field rules at start) and the
    /// <see cref="HealthCheckName"/> health check (tag <c>resilience</c>; Unhealthy when a worker is in a
    /// crash loop). Uses the registered <see cref="TimeProvider"/> (<see cref="TimeProvider.System"/> if none)
    /// and <c>IMeterFactory</c> when present. Calling it again only binds the additional section.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="section">The configuration section of <see cref="SupervisorOptions"/>, or <see langword="null"/> for the defaults.</param>
    /// <returns>The same service collection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddPhoenixSupervisor(this IServiceCollection services, IConfiguration? section = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SupervisorOptions>();
        if (section is not null)
        {
            options.Bind(section);
        }

        if (services.Any(d => d.ServiceType == typeof(WorkerSupervisor)))
        {
            return services;
        }

        options.ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SupervisorOptions>, SupervisorOptionsValidator>());
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<WorkerSupervisor>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WorkerSupervisor>(sp => sp.GetRequiredService<WorkerSupervisor>()));
        services.TryAddSingleton<SupervisorHealthCheck>();
        services.AddHealthChecks().AddCheck<SupervisorHealthCheck>(HealthCheckName, failureStatus: null, tags: ["resilience"]);
        return services;
    }

    /// <summary>
    /// Registers <typeparamref name="TWorker"/> as a supervised worker (singleton; registering the same type
    /// twice has no effect) and the supervisor with default options if it is not registered yet.
    /// </summary>
    /// <typeparam name="TWorker">The worker implementation.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <returns>The same service collection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddSupervisedWorker<TWorker>(this IServiceCollection services)
        where TWorker : class, ISupervisedWorker
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddPhoenixSupervisor();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISupervisedWorker, TWorker>());
        return services;
    }
}
