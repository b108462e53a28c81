using Microsoft.AspNetCore.Authorization;
using Phoenix.Hosting.Security;

namespace Phoenix.Gateway.Auth;

/// <summary>
/// Answers 429 (with <c>Retry-After</c>) before authentication when the client address is blocked by
/// <see cref="AuthFailureThrottle"/> and the endpoint needs authorization; anonymous endpoints (health, metrics) are
/// never throttled here. Runs after routing, so the endpoint is known.
/// </summary>
internal sealed class AuthFailureThrottleMiddleware
{
    private readonly RequestDelegate _next;
    private readonly AuthFailureThrottle _throttle;
    private readonly ISecurityEventLog _security;
    private readonly IAuthorizationPolicyProvider _policies;

    public AuthFailureThrottleMiddleware(RequestDelegate next, AuthFailureThrottle throttle, ISecurityEventLog security, IAuthorizationPolicyProvider policies)
    {
        _next = next;
        _throttle = throttle;
        _security = security;
        _policies = policies;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var address = AuthFailureThrottle.ClientAddress(context);
        if (_throttle.IsBlocked(address, out var retryAfter) && await RequiresAuthorizationAsync(context).ConfigureAwait(false))
        {
            _security.RateLimited(address, string.Empty);
            await AuthProblemResponses.WriteThrottledAsync(context, retryAfter).ConfigureAwait(false);
            return;
        }

        await _next(context).ConfigureAwait(false);
    }

    private async Task<bool> RequiresAuthorizationAsync(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<IAllowAnonymous>() is not null)
        {
            return false;
        }

        if (metadata?.GetMetadata<IAuthorizeData>() is not null || metadata?.GetMetadata<AuthorizationPolicy>() is not null)
        {
            return true;
        }

        return await _policies.GetFallbackPolicyAsync().ConfigureAwait(false) is not null;
    }
}
