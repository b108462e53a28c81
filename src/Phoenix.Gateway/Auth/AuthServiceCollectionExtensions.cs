using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Phoenix.Hosting;
using Phoenix.Resilience.Configuration;

namespace Phoenix.Gateway.Auth;

/// <summary>Wires the gateway's authentication (API keys, JWT bearer) and authorization (one policy per permission).</summary>
internal static class AuthServiceCollectionExtensions
{
    /// <summary>The name of the keys-file snapshot (service key, logs, health).</summary>
    public const string KeysSnapshotName = "api-keys";

    /// <summary>
    /// Registers:
    /// <list type="bullet">
    /// <item>the keys file (<c>Phoenix:Gateway:KeysFile</c>, default <c>keys.json</c> in the gateway's data directory) as a
    /// validated <see cref="ReloadableSnapshot{T}"/> named <see cref="KeysSnapshotName"/> (invalid at start: the host
    /// refuses to start; invalid reload: the last good file stays);</item>
    /// <item>the schemes <see cref="ApiKeyDefaults.Scheme"/> and <see cref="JwtBearerDefaults.AuthenticationScheme"/>
    /// behind the default policy scheme <see cref="PhoenixClaims.Scheme"/> (<c>Authorization: Bearer</c> → JWT, else
    /// API key), <see cref="JwtOptions"/> from <c>Phoenix:Gateway:Jwt</c>;</item>
    /// <item>one authorization policy per permission, named after it (<see cref="Permissions"/>; admin satisfies all),
    /// and the default policy "authenticated";</item>
    /// <item><see cref="TokenIssuer"/>, <see cref="AuthFailureThrottle"/> (<c>Phoenix:Gateway:Auth</c>), the security
    /// event log and <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is registered.</item>
    /// </list>
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The application configuration.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddGatewayAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.TryAddSingleton(TimeProvider.System);
        services.AddSecurityEventLog();

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiKeysFile>, ApiKeysFileValidator>());
        services.AddReloadableFile(KeysSnapshotName, KeysFilePath(configuration), ApiKeysFile.Parse);
        services.TryAddSingleton(sp => new ApiKeyStore(sp.GetRequiredKeyedService<ReloadableSnapshot<ApiKeysFile>>(KeysSnapshotName)));

        services.AddOptions<JwtOptions>().Bind(configuration.GetSection(JwtOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>());
        services.TryAddSingleton<JwtSigningKey>();
        services.TryAddSingleton<TokenIssuer>();
        services.TryAddSingleton<PhoenixJwtBearerEvents>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<JwtBearerOptions>, ConfigureJwtBearerOptions>());

        services.AddOptions<AuthFailureThrottleOptions>().Bind(configuration.GetSection(AuthFailureThrottleOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<AuthFailureThrottle>();

        services.AddAuthentication(PhoenixClaims.Scheme)
            .AddPolicyScheme(PhoenixClaims.Scheme, "API key or bearer token", options => options.ForwardDefaultSelector = SelectScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, displayName: "API key", _ => { })
            .AddJwtBearer();

        var authorization = services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new AuthorizationPolicyBuilder(PhoenixClaims.Scheme).RequireAuthenticatedUser().Build());
        foreach (var permission in Permissions.All)
        {
            authorization.AddPolicy(permission, policy => policy
                .AddAuthenticationSchemes(PhoenixClaims.Scheme)
                .RequireAuthenticatedUser()
                .AddRequirements(new PermissionRequirement(permission)));
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, PermissionAuthorizationHandler>());
        services.Replace(ServiceDescriptor.Singleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, PhoenixAuthorizationResultHandler>());
        return services;
    }

    /// <summary>
    /// Adds, in order: the failed-authentication throttle (429 for blocked addresses on endpoints that need
    /// authorization), authentication and authorization. Call after routing (and after forwarded headers, if any).
    /// </summary>
    /// <param name="app">The application.</param>
    /// <returns><paramref name="app"/>, for chaining.</returns>
    public static IApplicationBuilder UseGatewayAuthentication(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Made now, so a generated (per-process) signing key is reported at start rather than at the first token.
        _ = app.ApplicationServices.GetRequiredService<JwtSigningKey>();
        app.UseMiddleware<AuthFailureThrottleMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>
    /// The keys file: <c>Phoenix:Gateway:KeysFile</c>, else <c>keys.json</c> in the gateway's data directory
    /// (<c>Phoenix:Gateway:DataDir</c>, else <c>PHOENIX_DATA_DIR</c>, else <c>./.phoenix</c>), the same directory as the audit database.
    /// </summary>
    internal static string KeysFilePath(IConfiguration configuration)
    {
        var configured = configuration["Phoenix:Gateway:KeysFile"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var gateway = configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions();
        return Path.Combine(gateway.DataDirOrDefault(configuration["PHOENIX_DATA_DIR"]), "keys.json");
    }

    private static string SelectScheme(HttpContext context)
    {
        foreach (var value in context.Request.Headers.Authorization)
        {
            if (value is not null && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return JwtBearerDefaults.AuthenticationScheme;
            }
        }

        return ApiKeyDefaults.Scheme;
    }
}
