using System.Diagnostics;
using System.Diagnostics.Metrics;
using Phoenix.Gateway.Forwarding;

namespace Phoenix.Gateway.Vitals;

/// <summary>
/// The gateway's one <see cref="ActivitySource"/> and one meter, both named <see cref="Name"/>, and its instruments
/// (OpenTelemetry semantic-convention names, unit in the instrument):
/// <list type="bullet">
/// <item><c>phoenix.gateway.auth.failures</c> (<c>{failure}</c>), tagged <c>phoenix.auth.reason</c>;</item>
/// <item><c>phoenix.gateway.rate_limit.rejections</c> (<c>{request}</c>), tagged <c>phoenix.rate_limit.scope</c>;</item>
/// <item><c>phoenix.gateway.executor.in_flight</c> (<c>{run}</c>) and <c>phoenix.gateway.executor.available</c>
/// (<c>1</c>: 1 available, 0 not), observed per executor, tagged <c>phoenix.executor.name</c>.</item>
/// </list>
/// The RED metrics of the API are ASP.NET Core's <c>http.server.request.duration</c> (by <c>http.route</c> and
/// <c>http.response.status_code</c>; probe and scrape requests left out by Phoenix.Hosting), not instruments of this
/// meter. The meter comes from the host's <see cref="IMeterFactory"/>, which owns (and disposes) it: each host, and
/// each test host, observes its own.
/// </summary>
internal sealed class GatewayTelemetry
{
    /// <summary>Name of the activity source and the meter: <c>Phoenix.Gateway</c>.</summary>
    public const string Name = "Phoenix.Gateway";

    public const string AuthFailuresName = "phoenix.gateway.auth.failures";
    public const string RateLimitRejectionsName = "phoenix.gateway.rate_limit.rejections";
    public const string ExecutorInFlightName = "phoenix.gateway.executor.in_flight";
    public const string ExecutorAvailableName = "phoenix.gateway.executor.available";

    public const string ExecutorTag = "phoenix.executor.name";
    public const string AuthReasonTag = "phoenix.auth.reason";
    public const string RateLimitScopeTag = "phoenix.rate_limit.scope";

    /// <summary>The activity source for gateway spans.</summary>
    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _authFailures;
    private readonly Counter<long> _rateLimitRejections;

    public GatewayTelemetry(IMeterFactory meterFactory, ExecutorPool pool)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(pool);
        var meter = meterFactory.Create(Name);
        _authFailures = meter.CreateCounter<long>(AuthFailuresName, "{failure}", "API requests answered 401, by reason (missing, invalid, expired_or_disabled).");
        _rateLimitRejections = meter.CreateCounter<long>(
            RateLimitRejectionsName, "{request}", "API requests answered 429, by scope (key: the key's rate limit; client: the failed-authentication throttle).");
        meter.CreateObservableGauge(
            ExecutorInFlightName,
            () => pool.Endpoints.Select(e => new Measurement<int>(e.InFlight, new KeyValuePair<string, object?>(ExecutorTag, e.Name))),
            "{run}",
            "Runs the gateway has in flight on each executor.");
        meter.CreateObservableGauge(
            ExecutorAvailableName,
            () => pool.Endpoints.Select(e => new Measurement<int>(e.Available ? 1 : 0, new KeyValuePair<string, object?>(ExecutorTag, e.Name))),
            "1",
            "Whether each executor receives new runs (1: healthy and circuit not open; 0: not).");
    }

    /// <summary>Counts one API request refused with 401.</summary>
    public void RecordAuthFailure(string reason) => _authFailures.Add(1, new KeyValuePair<string, object?>(AuthReasonTag, reason));

    /// <summary>Counts one API request refused with 429.</summary>
    public void RecordRateLimitRejection(string scope) => _rateLimitRejections.Add(1, new KeyValuePair<string, object?>(RateLimitScopeTag, scope));
}
