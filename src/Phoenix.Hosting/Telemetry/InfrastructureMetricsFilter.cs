using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;

namespace Phoenix.Hosting.Telemetry;

/// <summary>
/// Puts first in the pipeline a step that switches the HTTP server metrics (<c>http.server.request.duration</c>,
/// <c>http.server.active_requests</c>) off for the probe, scrape and gRPC health requests
/// (<see cref="InfrastructureEndpoints.IsInfrastructure"/>), so that a scrape every few seconds does not count as API
/// traffic in request rates, error ratios and latency percentiles.
/// </summary>
internal sealed class InfrastructureMetricsFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(static (context, nextStep) =>
        {
            if (InfrastructureEndpoints.IsInfrastructure(context.Request.Path)
                && context.Features.Get<IHttpMetricsTagsFeature>() is { } metrics)
            {
                metrics.MetricsDisabled = true;
            }

            return nextStep(context);
        });
        next(app);
    };
}
