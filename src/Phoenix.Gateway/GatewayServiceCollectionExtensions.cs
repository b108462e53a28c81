using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Phoenix.Gateway.Api;
using Phoenix.Gateway.Audit;
using Phoenix.Gateway.Auth;
using Phoenix.Gateway.Forwarding;
using Phoenix.Gateway.RateLimiting;
using Phoenix.Gateway.Vitals;
using Phoenix.Resilience.Circuits;
using Phoenix.Resilience.Errors;

namespace Phoenix.Gateway;

/// <summary>Registers and maps the gateway.</summary>
public static class GatewayServiceCollectionExtensions
{
    /// <summary>Adds the gateway: options, Kestrel guards, problem details, CORS, OpenAPI, audit, executor pool and forwarding.</summary>
    public static WebApplicationBuilder AddGatewayServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ForwardingOptions>().BindConfiguration(ForwardingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var gateway = configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions();
        var dataDir = gateway.DataDirOrDefault(configuration["PHOENIX_DATA_DIR"]);

        builder.WebHost.ConfigureKestrel(kestrel => ConfigureKestrel(kestrel, gateway));
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            var kind = ctx.ProblemDetails.Status switch
            {
                404 => ErrorKind.NotFound,
                405 => ErrorKind.NotFound,
                413 => ErrorKind.PayloadTooLarge,
                415 => ErrorKind.UnsupportedMediaType,
                400 => ErrorKind.Validation,
                _ => (ErrorKind?)null,
            };
            var generic = string.IsNullOrEmpty(ctx.ProblemDetails.Type) || ctx.ProblemDetails.Type.StartsWith("https://tools.ietf.org", StringComparison.Ordinal);
            if (kind is { } known && generic)
            {
                ctx.ProblemDetails.Type = known.ToProblemType().ToString();
            }

            ctx.ProblemDetails.Extensions.Remove("exception");

            // ASP.NET's writer puts the whole traceparent here; Phoenix answers the 32-hex W3C trace id everywhere.
            ctx.ProblemDetails.Extensions["traceId"] = System.Diagnostics.Activity.Current is { } activity
                ? activity.TraceId.ToHexString()
                : ctx.ProblemDetails.Extensions.TryGetValue("traceId", out var existing) && existing is string { Length: 32 } hex ? hex : PhoenixProblemDetails.CurrentTraceId();
        });
        services.AddCors(o => o.AddDefaultPolicy(policy =>
        {
            if (gateway.CorsOrigins is { Length: > 0 } origins)
            {
                policy.WithOrigins(origins).WithMethods("GET", "POST").WithHeaders("Content-Type", "Authorization", "X-Phoenix-Api-Key");
            }
        }));
        services.AddOpenApi("v1");
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new CircuitRegistry(sp.GetRequiredService<TimeProvider>(), sp.GetService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetService<ILoggerFactory>()));
        services.AddGatewayAudit(configuration, dataDir);
        services.AddGatewayAuthentication(configuration);
        services.AddGatewayRateLimiting(configuration);
        services.TryAddSingleton<ExecutorPool>();
        services.TryAddSingleton<RunForwarder>();
        services.AddHostedService<ExecutorHealthMonitor>();
        services.AddHostedService<ExecutorDnsDiscovery>();
        services.AddGatewayVitals(configuration);
        services.AddHealthChecks()
            .AddCheck<ExecutorsHealthCheck>("executors", HealthStatus.Unhealthy, ["ready"])
            .AddCheck<CircuitHealthCheck>("circuits", HealthStatus.Degraded, ["ready"]);
        return builder;
    }

    /// <summary>Maps the HTTP API of DESIGN.md, the schema, OpenAPI, health and the default probe endpoints.</summary>
    public static WebApplication MapGatewayApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseRequestMetrics();
        app.UseExceptionHandler(handler => handler.Run(async context =>
        {
            var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var problem = PhoenixProblemDetails.FromException(exception ?? new InvalidOperationException("unknown"));
            context.Response.StatusCode = problem.Status ?? 500;
            await Results.Problem(problem).ExecuteAsync(context);
        }));
        // Always problem+json, whatever the Accept header says (the default writer honours Accept and writes nothing).
        app.UseStatusCodePages(async statusContext =>
        {
            var http = statusContext.HttpContext;
            var kind = http.Response.StatusCode switch
            {
                404 or 405 => ErrorKind.NotFound,
                413 => ErrorKind.PayloadTooLarge,
                415 => ErrorKind.UnsupportedMediaType,
                429 => ErrorKind.RateLimited,
                >= 500 => ErrorKind.Unavailable,
                _ => ErrorKind.Validation,
            };
            var problem = PhoenixProblemDetails.Create(PhoenixError.Create(kind, "http." + http.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), ErrorKinds.Describe(kind).Title));
            problem.Status = http.Response.StatusCode;
            await Results.Problem(problem).ExecuteAsync(http);
        });
        app.UseSecurityHeaders();
        app.UseCors();
        app.UseGatewayAuthentication();

        // Order per request: authenticate → authorize → per-key rate limit → read and validate the body → admit (global
        // concurrency) → audit → forward.
        var api = app.MapGroup("/api/v1").RequirePerKeyRateLimit();
        api.MapPost("/execute", ExecuteEndpoints.ExecuteAsync).RequireAuthorization(Permissions.Execute).RequireRunAdmission();
        api.MapPost("/execute/stream", ExecuteEndpoints.StreamAsync).RequireAuthorization(Permissions.Execute).RequireRunAdmission();
        api.MapPost("/execute/validate", ExecuteEndpoints.ValidateAsync).RequireAuthorization(Permissions.Execute);
        api.MapGet("/audit", AuditEndpoints.QueryAsync).RequireAuthorization(Permissions.Audit);
        api.MapVitals();
        api.MapGet("/token", (HttpContext context, TokenIssuer issuer) => issuer.IsEnabled
                ? TypedResults.Json(issuer.Issue(context.User), GatewayJsonContext.Default.TokenResponseDto)
                : Errors.GatewayProblems.Problem(context, TokenIssuer.NotIssuedHere))
            .RequireAuthorization();

        app.MapGet("/health", HealthEndpoints.HealthAsync).AllowAnonymous();
        app.MapGet("/schemas/execute.json", () => Results.Text(Validation.ExecuteRequestValidator.SchemaText, "application/schema+json")).AllowAnonymous();
        app.MapOpenApi("/openapi/v1.json").AllowAnonymous();
        Phoenix.Hosting.ServiceDefaultsExtensions.MapDefaultEndpoints(app);
        return app;
    }

    private static void ConfigureKestrel(KestrelServerOptions kestrel, GatewayOptions options)
    {
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
        kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        kestrel.Limits.MaxRequestHeaderCount = 64;
        kestrel.Limits.MaxRequestLineSize = 8 * 1024;
        kestrel.Limits.MaxConcurrentConnections = options.MaxConcurrentConnections;
        kestrel.Limits.MaxConcurrentUpgradedConnections = options.MaxConcurrentConnections;
        kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
        kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(120);
        kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 1024, gracePeriod: TimeSpan.FromSeconds(10));
        var uri = new Uri(options.Listen);
        var address = uri.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(uri.Host.Trim('[', ']'));
        kestrel.Listen(address, uri.Port, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            if (uri.Scheme == Uri.UriSchemeHttps)
            {
                var certificate = options.TlsCertificatePath is { Length: > 0 } cert && options.TlsKeyPath is { Length: > 0 } key
                    ? X509Certificate2.CreateFromPemFile(cert, key)
                    : throw new OptionsValidationException(GatewayOptions.SectionName, typeof(GatewayOptions), ["An https Listen address needs TlsCertificatePath and TlsKeyPath."]);
                listen.UseHttps(certificate);
            }
        });
    }
}
