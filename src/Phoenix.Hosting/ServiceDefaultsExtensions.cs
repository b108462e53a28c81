using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Phoenix.Hosting.Configuration;
using Phoenix.Hosting.Health;
using Phoenix.Hosting.Security;
using Phoenix.Hosting.Telemetry;

namespace Phoenix.Hosting;

/// <summary>
/// What every Phoenix service shares (in the style of Aspire's ServiceDefaults): OpenTelemetry, health checks,
/// JSON console logs, graceful shutdown, <see cref="TimeProvider"/> and the security event log.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Configuration key that switches OTLP export on (traces, metrics and logs) when it has a value.</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Configuration key of the standard OpenTelemetry service name, used as <c>service.name</c> when
    /// <c>Phoenix:ServiceName</c> is not set.
    /// </summary>
    public const string ServiceNameKey = "OTEL_SERVICE_NAME";

    /// <summary>
    /// The ASP.NET Core instrumentation's switch for RPC span names and attributes on gRPC server calls; on unless
    /// configured (<c>false</c> turns it off).
    /// </summary>
    public const string GrpcServerInstrumentationKey = "OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_ENABLE_GRPC_INSTRUMENTATION";

    /// <summary>
    /// Adds the service defaults:
    /// <list type="bullet">
    /// <item>OpenTelemetry with resource <c>service.name</c> = <c>Phoenix:ServiceName</c>, else <c>OTEL_SERVICE_NAME</c>,
    /// else the application name; tracing of ASP.NET Core (except <c>/healthz</c>, <c>/readyz</c>, <c>/health</c>,
    /// <c>/metrics</c> and the gRPC health service; gRPC calls named and tagged by the RPC conventions), HttpClient and
    /// every <c>Phoenix.*</c> activity source; metrics of ASP.NET Core, HttpClient, the runtime and every
    /// <c>Phoenix.*</c> meter, exposed for Prometheus (see <see cref="MapDefaultEndpoints"/>), with
    /// <c>http.server.request.duration</c> buckets up to 300 s, the probe, scrape and gRPC health requests left out of
    /// the HTTP server metrics, and <c>phoenix.process.memory.limit</c>; logs.
    /// OTLP export of all three only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.</item>
    /// <item>Health checks (<see cref="AddDefaultHealthChecks{TBuilder}"/>).</item>
    /// <item>Console logs as JSON (default) or text (<c>Phoenix:Logging:Format</c>), with scopes (trace and span ids) and UTC timestamps;
    /// <c>Microsoft.AspNetCore</c> at Warning unless configured (its per-request Information lines are off).</item>
    /// <item><c>HostOptions.ShutdownTimeout</c> from <c>Phoenix:ShutdownTimeoutSeconds</c> (default 30, 1 to 600).</item>
    /// <item><see cref="ServiceDefaultsOptions"/> validated at start; <see cref="TimeProvider.System"/> unless a
    /// <see cref="TimeProvider"/> is already registered; <see cref="ISecurityEventLog"/>.</item>
    /// </list>
    /// </summary>
    /// <typeparam name="TBuilder">The host builder type.</typeparam>
    /// <param name="builder">The application's host builder.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <remarks>Invalid <c>Phoenix</c> options make <c>StartAsync</c> throw <see cref="Microsoft.Extensions.Options.OptionsValidationException"/>.</remarks>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddOptions<ServiceDefaultsOptions>()
            .Bind(builder.Configuration.GetSection(ServiceDefaultsOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddOptions<HostOptions>().Configure<IConfiguration>(ApplyShutdownTimeout);

        ConfigureConsoleLogging(builder);
        ConfigureOpenTelemetry(builder);
        builder.AddDefaultHealthChecks();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSecurityEventLog();
        return builder;
    }

    /// <summary>
    /// Adds health checks: <c>self</c> (tagged <see cref="HealthCheckTags.Live"/>, always healthy while the process
    /// answers) and <c>configuration</c> (tagged <see cref="HealthCheckTags.Ready"/>; Degraded while a reloadable
    /// configuration has a rejected reload). Calling it again adds nothing.
    /// </summary>
    /// <typeparam name="TBuilder">The host builder type.</typeparam>
    /// <param name="builder">The application's host builder.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(d => d.ServiceType == typeof(DefaultHealthChecksMarker)))
        {
            return builder;
        }

        builder.Services.AddSingleton<DefaultHealthChecksMarker>();
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy("The process is running."), [HealthCheckTags.Live])
            .AddCheck<ConfigurationHealthCheck>("configuration", tags: [HealthCheckTags.Ready]);
        return builder;
    }

    /// <summary>
    /// Registers <see cref="ISecurityEventLog"/> (singleton, unless one is registered already) and the metrics
    /// services it needs.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddSecurityEventLog(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddLogging();
        services.AddMetrics();
        services.TryAddSingleton<ISecurityEventLog, SecurityEventLog>();
        return services;
    }

    /// <summary>
    /// Maps the probe and scrape endpoints, all anonymous:
    /// <list type="bullet">
    /// <item><c>/healthz</c>, liveness: runs only checks tagged <see cref="HealthCheckTags.Live"/>.</item>
    /// <item><c>/readyz</c>, readiness: runs every check except those tagged <see cref="HealthCheckTags.Live"/> alone
    /// (so <see cref="HealthCheckTags.Ready"/> and untagged checks).</item>
    /// <item><c>/metrics</c>: Prometheus text format (requires <see cref="AddServiceDefaults{TBuilder}"/>).</item>
    /// </list>
    /// Health answers 200 when Healthy or Degraded, 503 when Unhealthy, with
    /// <c>{"status":…,"checks":[{"name":…,"status":…,"description":…}]}</c>; descriptions are sanitized and never
    /// carry exception text. None of these requests is traced. In production, expose <c>/metrics</c> on an internal port only.
    /// </summary>
    /// <param name="app">The web application.</param>
    /// <returns><paramref name="app"/>, for chaining.</returns>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapHealthChecks(InfrastructureEndpoints.Liveness, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(HealthCheckTags.Live),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).AllowAnonymous();

        app.MapHealthChecks(InfrastructureEndpoints.Readiness, new HealthCheckOptions
        {
            Predicate = IsReadinessCheck,
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).AllowAnonymous();

        app.MapPrometheusScrapingEndpoint(InfrastructureEndpoints.Metrics).AllowAnonymous();
        return app;
    }

    /// <summary>Readiness runs every check except the liveness-only ones.</summary>
    internal static bool IsReadinessCheck(HealthCheckRegistration registration) =>
        !registration.Tags.Contains(HealthCheckTags.Live) || registration.Tags.Contains(HealthCheckTags.Ready);

    /// <summary>
    /// Applies <c>Phoenix:ShutdownTimeoutSeconds</c> when it is a valid number in range; an invalid value is left to
    /// the start-up validation of <see cref="ServiceDefaultsOptions"/>, which reports it.
    /// </summary>
    private static void ApplyShutdownTimeout(HostOptions host, IConfiguration configuration)
    {
        var raw = configuration[$"{ServiceDefaultsOptions.SectionName}:{nameof(ServiceDefaultsOptions.ShutdownTimeoutSeconds)}"];
        var seconds = new ServiceDefaultsOptions().ShutdownTimeoutSeconds;
        if (raw is not null
            && (!int.TryParse(raw, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out seconds)
                || seconds < ServiceDefaultsOptions.MinShutdownTimeoutSeconds
                || seconds > ServiceDefaultsOptions.MaxShutdownTimeoutSeconds))
        {
            return;
        }

        host.ShutdownTimeout = TimeSpan.FromSeconds(seconds);
    }

    private static void ConfigureConsoleLogging(IHostApplicationBuilder builder)
    {
        // A default under every other source: ASP.NET Core's per-request logs (request started/finished, endpoint
        // executed, result written) repeat what traces and RED metrics record, and cost about 15 % of the gateway's
        // CPU per run (docs/performance.md) and a millisecond of each warm executor run. Logging:LogLevel:Microsoft.AspNetCore
        // turns them back on.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = [new("Logging:LogLevel:Microsoft.AspNetCore", nameof(LogLevel.Warning))],
        });

        // Trace and span ids go into the scope of every log written inside an activity.
        builder.Logging.Configure(options => options.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);

        var raw = builder.Configuration[$"{ServiceDefaultsOptions.SectionName}:Logging:Format"];
        var text = Enum.TryParse<LogFormat>(raw, ignoreCase: true, out var format) && format == LogFormat.Text;
        if (text)
        {
            builder.Logging.AddSimpleConsole(options =>
            {
                options.IncludeScopes = true;
                options.SingleLine = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }
        else
        {
            builder.Logging.AddJsonConsole(options =>
            {
                options.IncludeScopes = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                options.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
            });
        }
    }

    private static void ConfigureOpenTelemetry(IHostApplicationBuilder builder)
    {
        var serviceName = builder.Configuration[$"{ServiceDefaultsOptions.SectionName}:{nameof(ServiceDefaultsOptions.ServiceName)}"] is { Length: > 0 } configured
            ? configured
            : builder.Configuration[ServiceNameKey] is { Length: > 0 } standard ? standard : builder.Environment.ApplicationName;

        // gRPC calls served by ASP.NET Core get the RPC span name and attributes ({package.Service}/{Method}, rpc.*)
        // instead of "POST /package.Service/Method", unless the flag is set otherwise.
        if (builder.Configuration[GrpcServerInstrumentationKey] is null)
        {
            builder.Configuration.AddInMemoryCollection([new(GrpcServerInstrumentationKey, "true")]);
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(options =>
                    options.Filter = context => !InfrastructureEndpoints.IsInfrastructure(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddSource(HostingTelemetry.AllPhoenix))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(HostingTelemetry.AllPhoenix)
                .AddPhoenixMetricDefaults()
                .AddPrometheusExporter());

        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]))
        {
            telemetry.UseOtlpExporter();
        }
    }
}
