using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Phoenix.Hosting;
using Phoenix.Hosting.Health;

namespace Phoenix.Gateway.RateLimiting;

/// <summary>
/// Wires per-key rate limiting and the global run admission.
/// <code>
/// builder.Services.AddGatewayRateLimiting(builder.Configuration);
/// var api = app.MapGroup("/v1").RequireAuthorization().RequirePerKeyRateLimit();   // auth runs first (middleware)
/// api.MapPost("/execute", …).RequireRunAdmission();                                  // before the validation filter
/// </code>
/// </summary>
internal static class RateLimitingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="RateLimitingOptions"/> snapshot (<c>Phoenix:Gateway:RateLimit</c>, validated at start,
    /// reloadable), the per-key store (Redis when <c>Phoenix:Gateway:RateLimit:Redis</c> is set, in memory otherwise),
    /// <see cref="IRunAdmission"/>, and the <c>rate-limit-store</c> health check (tagged ready; Degraded when Redis is
    /// configured and unreachable, Degraded too if the check itself fails).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The application's configuration (the root, not the section).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="InvalidOperationException">Called twice.</exception>
    public static IServiceCollection AddGatewayRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var section = configuration.GetSection(RateLimitingOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RateLimitingOptions>, RateLimitingOptionsValidator>());
        services.AddReloadableOptions<RateLimitingOptions>(RateLimitingOptions.SnapshotName, section);
        services.AddSecurityEventLog();
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton<InMemoryRateLimitStore>();
        if (string.IsNullOrWhiteSpace(section[nameof(RateLimitingOptions.Redis)]))
        {
            services.TryAddSingleton<IRateLimitStore>(sp => sp.GetRequiredService<InMemoryRateLimitStore>());
        }
        else
        {
            services.TryAddSingleton<RedisRateLimitConnection>();
            services.AddHostedService(sp => sp.GetRequiredService<RedisRateLimitConnection>());
            services.TryAddSingleton<IRateLimitStore, RedisRateLimitStore>();
        }

        services.TryAddSingleton<ConcurrencyRunAdmission>();
        services.TryAddSingleton<IRunAdmission>(sp => sp.GetRequiredService<ConcurrencyRunAdmission>());

        services.AddHealthChecks().Add(new HealthCheckRegistration(
            RateLimitStoreHealthCheck.Name,
            sp => new RateLimitStoreHealthCheck(sp.GetService<RedisRateLimitConnection>()),
            HealthStatus.Degraded,
            [HealthCheckTags.Ready]));
        return services;
    }

    /// <summary>
    /// Counts every request of the endpoint(s) against the caller's per-key limit (<see cref="PerKeyRateLimitFilter"/>):
    /// <c>RateLimit-Policy</c> / <c>RateLimit</c> on every response, 429 over the limit. An endpoint filter: it runs
    /// after authentication and authorization (middleware) and after parameter binding, before filters added later
    /// (add request validation after it). Requires <see cref="AddGatewayRateLimiting"/>.
    /// </summary>
    /// <typeparam name="TBuilder">A route group or endpoint builder.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static TBuilder RequirePerKeyRateLimit<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddEndpointFilter<TBuilder, PerKeyRateLimitFilter>();
    }

    /// <summary>
    /// Holds one of the <see cref="RateLimitingOptions.MaxConcurrentRuns"/> run slots while the handler runs
    /// (<see cref="RunAdmissionFilter"/>); 503 <c>ResourceExhausted</c> with <c>Retry-After: 1</c> when none is free
    /// and <see cref="RateLimitingOptions.QueueLimit"/> runs already wait. Add it after
    /// <see cref="RequirePerKeyRateLimit{TBuilder}"/> and after request validation, so only valid, counted runs queue.
    /// Requires <see cref="AddGatewayRateLimiting"/>.
    /// </summary>
    /// <typeparam name="TBuilder">A route group or endpoint builder.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static TBuilder RequireRunAdmission<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddEndpointFilter<TBuilder, RunAdmissionFilter>();
    }
}
