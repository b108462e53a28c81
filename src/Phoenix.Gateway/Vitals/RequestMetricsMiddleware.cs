using Phoenix.Gateway.Auth;

namespace Phoenix.Gateway.Vitals;

/// <summary>
/// Records every answered request (except the probe and scrape endpoints <c>/healthz</c>, <c>/readyz</c>,
/// <c>/metrics</c>) in <see cref="GatewayTelemetry"/> (count and duration by route template and final status) and
/// in <see cref="RequestStats"/> (the vitals window). On <c>/api</c> paths it also counts, by final status, 401 as
/// authentication failures (reason from the failure the scheme recorded) and 429 as rate-limit rejections (scope
/// <c>client</c> when the caller was not authenticated, i.e. the failed-authentication throttle; <c>key</c> otherwise).
/// Place it first, before the exception handler, so it sees the status the client sees; an exception that passes
/// through it counts as 500.
/// </summary>
internal sealed class RequestMetricsMiddleware(RequestDelegate next, GatewayTelemetry telemetry, RequestStats stats, TimeProvider time)
{
    /// <summary>The route tag of a request that matched no endpoint.</summary>
    public const string Unmatched = "unmatched";

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

    /// <summary>The route tag: the endpoint's route template, or <see cref="Unmatched"/>.</summary>
    internal static string RouteOf(Endpoint? endpoint) =>
        endpoint is RouteEndpoint { RoutePattern.RawText: { Length: > 0 } template } ? template : Unmatched;

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

        telemetry.RecordRequest(RouteOf(endpoint), status, elapsed);

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
