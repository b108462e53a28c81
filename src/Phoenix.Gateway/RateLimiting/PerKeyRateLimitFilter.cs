using System.Globalization;
using System.Security.Claims;
using Phoenix.Gateway.Auth;
using Phoenix.Gateway.Vitals;
using Phoenix.Hosting.Security;
using Phoenix.Resilience.Configuration;

namespace Phoenix.Gateway.RateLimiting;

/// <summary>
/// Counts each authenticated request against its key's limit: the <see cref="PhoenixClaims.RateLimit"/> claim when the
/// key has a valid one (a positive integer), else <see cref="RateLimitingOptions.PermitsPerMinute"/>. Sets
/// <c>RateLimit-Policy</c> and <c>RateLimit</c> on every response it lets through or refuses; a refused request gets
/// 429 problem+json with <c>Retry-After</c> and a <see cref="ISecurityEventLog.RateLimited"/> event.
/// </summary>
/// <remarks>A request without a <see cref="PhoenixClaims.KeyId"/> claim (an anonymous endpoint) is not counted.</remarks>
internal sealed class PerKeyRateLimitFilter : IEndpointFilter
{
    private readonly IRateLimitStore _store;
    private readonly ReloadableSnapshot<RateLimitingOptions> _options;
    private readonly ISecurityEventLog _events;

    public PerKeyRateLimitFilter(IRateLimitStore store, ReloadableSnapshot<RateLimitingOptions> options, ISecurityEventLog events)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(events);
        _store = store;
        _options = options;
        _events = events;
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        if (http.User.FindFirst(PhoenixClaims.KeyId)?.Value is not { Length: > 0 } keyId)
        {
            return await next(context).ConfigureAwait(false);
        }

        var limit = OwnLimit(http.User) ?? _options.Current.PermitsPerMinute;
        var decision = await _store.AcquireAsync(keyId, limit, http.RequestAborted).ConfigureAwait(false);
        RateLimitHeaders.Apply(http.Response, decision);
        GatewayTracing.RateLimit(http, decision);
        if (decision.IsAllowed)
        {
            return await next(context).ConfigureAwait(false);
        }

        _events.RateLimited(http.Connection.RemoteIpAddress?.ToString(), keyId);
        return RateLimitProblems.RateLimited(http, decision.ResetAfter);
    }

    /// <summary>The key's own limit, if it carries a valid <see cref="PhoenixClaims.RateLimit"/> claim.</summary>
    internal static int? OwnLimit(ClaimsPrincipal user) =>
        user.FindFirst(PhoenixClaims.RateLimit)?.Value is { } value
        && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit)
        && limit > 0
            ? limit
            : null;
}
