using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Phoenix.Gateway.Vitals;
using Phoenix.Hosting.Security;

namespace Phoenix.Gateway.Auth;

/// <summary>
/// Sees every authorization decision of an endpoint that needs one: a challenge (401) logs
/// <see cref="ISecurityEventLog.AuthenticationFailed"/> and counts against the client address in
/// <see cref="AuthFailureThrottle"/>; a forbid (403) logs <see cref="ISecurityEventLog.AuthorizationDenied"/> with the
/// permission that was missing. The answers themselves are written by the schemes (<see cref="AuthProblemResponses"/>).
/// </summary>
internal sealed class PhoenixAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();
    private readonly ISecurityEventLog _security;
    private readonly AuthFailureThrottle _throttle;

    public PhoenixAuthorizationResultHandler(ISecurityEventLog security, AuthFailureThrottle throttle)
    {
        _security = security;
        _throttle = throttle;
    }

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        var address = AuthFailureThrottle.ClientAddress(context);
        if (authorizeResult.Challenged)
        {
            var failure = AuthFailure.Get(context) ?? new AuthFailure(AuthFailureReason.Missing, null, "no credentials", BearerToken: false);
            _security.AuthenticationFailed(address, failure.KeyId, failure.LogReason);
            _throttle.RecordFailure(address);
            GatewayTracing.Unauthenticated(context, failure);
        }
        else if (authorizeResult.Forbidden)
        {
            var permission = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<PermissionRequirement>().FirstOrDefault()?.Permission
                ?? "(policy)";
            var keyId = context.User.FindFirst(PhoenixClaims.KeyId)?.Value ?? string.Empty;
            _security.AuthorizationDenied(address, keyId, permission);
            GatewayTracing.Forbidden(context, keyId, permission);
        }
        else if (authorizeResult.Succeeded)
        {
            GatewayTracing.Authorized(context, context.User.FindFirst(PhoenixClaims.KeyId)?.Value);
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
