using Microsoft.Extensions.DependencyInjection.Extensions;
using Phoenix.Gateway.Forwarding;

namespace Phoenix.Gateway.Vitals;

/// <summary>Wires the gateway's telemetry and the vitals stream.</summary>
internal static class VitalsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="GatewayTelemetry"/> (meter and activity source <c>Phoenix.Gateway</c>), <see cref="RequestStats"/>,
    /// <see cref="VitalsSampler"/>, <see cref="VitalsOptions"/> (<c>Phoenix:Gateway:Vitals</c>, validated at start) and
    /// <see cref="ExecutorCapacityOptions"/> (the optional <c>Phoenix:Gateway:Forwarding:Executors:i:Capacity</c> keys,
    /// validated at start), and <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is registered.
    /// Needs the <see cref="ExecutorPool"/> of the gateway's forwarding.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The application configuration.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddGatewayVitals(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddOptions<VitalsOptions>().Bind(configuration.GetSection(VitalsOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ExecutorCapacityOptions>()
            .Bind(configuration.GetSection(ForwardingOptions.SectionName))
            .Validate(o => o.IsValid(), "Phoenix:Gateway:Forwarding:Executors:i:Capacity must be an integer from 1 to 100000 when set.")
            .ValidateOnStart();
        services.TryAddSingleton<RequestStats>();
        services.TryAddSingleton<GatewayTelemetry>();
        services.TryAddSingleton<VitalsSampler>();
        return services;
    }

    /// <summary>
    /// Adds <see cref="RequestMetricsMiddleware"/>. Call it first (before the exception handler) so it records the
    /// status the client receives.
    /// </summary>
    /// <param name="app">The application.</param>
    /// <returns><paramref name="app"/>, for chaining.</returns>
    public static IApplicationBuilder UseRequestMetrics(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseMiddleware<RequestMetricsMiddleware>();
    }
}
