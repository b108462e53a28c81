using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Phoenix.Gateway.Audit;

/// <summary>
/// Wires the audit trail.
/// <code>
/// services.AddGatewayAudit(configuration, dataDir);
/// </code>
/// </summary>
internal static class AuditServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="AuditOptions"/> (<c>Phoenix:Gateway:Audit</c>, validated at start) and the
    /// <see cref="IAuditStore"/> they choose: <see cref="SqliteAuditStore"/> on <c>audit.db</c> in
    /// <paramref name="dataDir"/> (default) or <see cref="PostgresAuditStore"/>, whose schema is migrated when the host
    /// starts. A store registered before is kept.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The application's configuration (the root, not the section).</param>
    /// <param name="dataDir">The gateway's data directory (where <c>audit.db</c> lives).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddGatewayAudit(this IServiceCollection services, IConfiguration configuration, string dataDir)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(dataDir);

        services.AddOptions<AuditOptions>().Bind(configuration.GetSection(AuditOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<IAuditStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AuditOptions>>().Value;
            if (!options.IsPostgres)
            {
                return new SqliteAuditStore(Path.Join(dataDir, "audit.db"));
            }

            var logger = sp.GetService<ILoggerFactory>()?.CreateLogger<PostgresAuditStore>() ?? (ILogger)NullLogger.Instance;
            return new PostgresAuditStore(options.ConnectionString!, logger);
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PostgresAuditStartup>());
        return services;
    }
}
