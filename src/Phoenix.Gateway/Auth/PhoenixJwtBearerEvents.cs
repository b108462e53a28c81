using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Phoenix.Gateway.Auth;

/// <summary>
/// JwtBearer events of the gateway: maps a validated token to the <see cref="PhoenixClaims"/> contract (key id from
/// <c>phoenix:key_id</c> or <c>sub</c>, permissions from <c>phoenix:permission</c>), rejects tokens of keys that are
/// now disabled or expired in the keys file, and answers 401/403 with the gateway's problem details.
/// </summary>
/// <remarks>
/// Gateway-issued (HS256) tokens must name a key of the keys file; their permissions are narrowed to the key's current
/// ones and the key's rate limit applies. External (RS256) tokens are accepted for subjects the keys file does not
/// know, but a subject that matches a disabled or expired key is rejected.
/// </remarks>
internal sealed class PhoenixJwtBearerEvents : JwtBearerEvents
{
    private const string Subject = "sub";

    private readonly ApiKeyStore _store;
    private readonly TimeProvider _time;
    private readonly bool _external;

    public PhoenixJwtBearerEvents(ApiKeyStore store, TimeProvider time, IOptions<JwtOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _time = time;
        _external = options.Value.UsesExternalIssuer;
    }

    public override Task AuthenticationFailed(AuthenticationFailedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var expired = context.Exception is SecurityTokenExpiredException;
        new AuthFailure(
            expired ? AuthFailureReason.ExpiredOrDisabled : AuthFailureReason.Invalid,
            KeyId: null,
            LogDetail: "bearer token rejected: " + context.Exception.GetType().Name,
            BearerToken: true).Set(context.HttpContext);
        return Task.CompletedTask;
    }

    public override Task TokenValidated(TokenValidatedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var token = context.Principal;
        var keyId = token?.FindFirst(PhoenixClaims.KeyId)?.Value ?? token?.FindFirst(Subject)?.Value;
        if (token is null || string.IsNullOrEmpty(keyId))
        {
            Reject(context, AuthFailureReason.Invalid, null, "bearer token names no key");
            return Task.CompletedTask;
        }

        var permissions = token.FindAll(PhoenixClaims.Permission)
            .Select(c => c.Value)
            .Where(p => Permissions.All.Contains(p, StringComparer.Ordinal));
        var entry = _store.FindById(keyId);
        int? rateLimit = null;
        if (entry is not null)
        {
            if (!entry.IsActive(_time.GetUtcNow()))
            {
                Reject(context, AuthFailureReason.ExpiredOrDisabled, keyId, entry.Disabled ? "bearer token of a disabled key" : "bearer token of an expired key");
                return Task.CompletedTask;
            }

            rateLimit = entry.RateLimitPerMinute;
            if (!_external)
            {
                permissions = permissions.Intersect(entry.Permissions, StringComparer.Ordinal);
            }
        }
        else if (!_external)
        {
            Reject(context, AuthFailureReason.ExpiredOrDisabled, keyId, "bearer token of a key no longer in the keys file");
            return Task.CompletedTask;
        }

        context.Principal = ApiKeyAuthenticationHandler.CreatePrincipal(keyId, permissions.ToArray(), rateLimit, JwtBearerDefaults.AuthenticationScheme);
        var subject = token.FindFirst(Subject)?.Value;
        if (subject is not null && context.Principal.Identity is ClaimsIdentity identity)
        {
            identity.AddClaim(new Claim(Subject, subject));
        }

        return Task.CompletedTask;
    }

    public override Task Challenge(JwtBearerChallengeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.HandleResponse();
        if (AuthFailure.Get(context.HttpContext) is null)
        {
            // "Authorization: Bearer" with an empty token: nothing to validate.
            new AuthFailure(AuthFailureReason.Missing, null, "empty bearer token", BearerToken: false).Set(context.HttpContext);
        }

        return AuthProblemResponses.WriteChallengeAsync(context.HttpContext);
    }

    public override Task Forbidden(ForbiddenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return AuthProblemResponses.WriteForbiddenAsync(context.HttpContext);
    }

    private static void Reject(TokenValidatedContext context, AuthFailureReason reason, string? keyId, string detail)
    {
        new AuthFailure(reason, keyId, detail, BearerToken: true).Set(context.HttpContext);
        context.Fail(AuthFailure.PublicReason(reason));
    }
}
