using Phoenix.Gateway.Auth;

namespace Phoenix.Gateway.Vitals;

/// <summary>
/// Records every answered request (except the probe and scrape endpoints <c>/healthz</c>, <c>/readyz</c>,
/// <c>/metrics</c>) in <see cref="RequestStats"/> (the vitals window). On <c>/api</c> paths it also counts in
/// <see cref="GatewayTelemetry"/>, by final status, 401 as authentication failures (reason from the failure the scheme
/// recorded) and 429 as rate-limit rejections (scope <c>client</c> when the caller was not authenticated, i.e. the
/// failed-authentication throttle; <c>key</c> otherwise). Request counts and durations by route and status are
/// ASP.NET Core's <c>http.server.request.duration</c>. Place it first, before the exception handler, so it sees the
/// status the client sees; an exception that passes through it counts as 500.
/// </summary>
internal sealed class RequestMetricsMiddleware(RequestDelegate next, GatewayTelemetry telemetry, RequestStats stats, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (IsInfrastructure(context.Request.Path))
        {
            await next(context);
            return;
        }

        // Read before the pipeline runs: the exception handler clears the endpoint when it re-executes.
        var endpoint = context.GetEndpoint();
        var start = time.GetTimestamp();
        var threw = false;
        try
        {
            await next(context);
        }
        catch
        {
            threw = true;
            throw;
        }
        finally
        {
            var elapsed = time.GetElapsedTime(start);
            endpoint ??= context.GetEndpoint();
            Record(context, endpoint, threw ? StatusCodes.Status500InternalServerError : context.Response.StatusCode, elapsed);
        }
    }

    internal static bool IsInfrastructure(PathString path) =>
        path.StartsWithSegments("/healthz", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/readyz", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase);

    private static string ReasonOf(AuthFailure? failure) => failure?.Reason switch
    {
        null or AuthFailureReason.Missing => "missing",
        AuthFailureReason.ExpiredOrDisabled => "expired_or_disabled",
        _ => "invalid",
    };

    private void Record(HttpContext context, Endpoint? endpoint, int status, TimeSpan elapsed)
    {
        if (endpoint?.Metadata.GetMetadata<ExcludeFromRequestStatsMetadata>() is null)
        {
            stats.Record(status, elapsed);
        }

        if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            if (status == StatusCodes.Status401Unauthorized)
            {
                telemetry.RecordAuthFailure(ReasonOf(AuthFailure.Get(context)));
            }
            else if (status == StatusCodes.Status429TooManyRequests)
            {
                telemetry.RecordRateLimitRejection(context.User.Identity?.IsAuthenticated == true ? "key" : "client");
            }
        }
    }
}
