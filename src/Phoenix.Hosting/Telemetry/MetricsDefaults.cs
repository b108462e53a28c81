using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;

namespace Phoenix.Hosting.Telemetry;

/// <summary>
/// What every service's metrics share beyond the instrumentation itself: wider buckets for
/// <c>http.server.request.duration</c> (runs last up to minutes; ASP.NET Core's advice stops at 10 s), the probe, scrape
/// and gRPC health requests left out of the HTTP server metrics (<see cref="InfrastructureMetricsFilter"/>), and the
/// process gauges of <see cref="ProcessMetrics"/>.
/// </summary>
internal static class MetricsDefaults
{
    /// <summary>The HTTP server duration histogram of ASP.NET Core (semantic conventions), the RED metric of the API.</summary>
    public const string HttpServerRequestDuration = "http.server.request.duration";

    /// <summary>ASP.NET Core's own boundaries (0.005 s to 10 s) extended to 5 minutes.</summary>
    public static readonly double[] HttpServerRequestDurationBoundaries =
        [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60, 120, 300];

    /// <summary>Adds the view, the infrastructure filter and the process gauges to <paramref name="metrics"/>.</summary>
    public static MeterProviderBuilder AddPhoenixMetricDefaults(this MeterProviderBuilder metrics) =>
        metrics
            .AddView(HttpServerRequestDuration, new ExplicitBucketHistogramConfiguration { Boundaries = HttpServerRequestDurationBoundaries })
            .ConfigureServices(services =>
            {
                services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, InfrastructureMetricsFilter>());
                services.TryAddSingleton<ProcessMetrics>();
            })
            .AddInstrumentation(services => services.GetRequiredService<ProcessMetrics>());
}
