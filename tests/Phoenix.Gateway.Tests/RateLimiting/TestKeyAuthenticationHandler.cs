using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Phoenix.Gateway.Auth;

namespace Phoenix.Gateway.Tests.RateLimiting;

/// <summary>
/// Trusts <see cref="KeyHeader"/> as the caller's key id and <see cref="LimitHeader"/> as its own rate-limit claim:
/// the rate-limit tests do not depend on the real authentication.
/// </summary>
internal sealed class TestKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "TestKey";
    public const string KeyHeader = "X-Test-Key";
    public const string LimitHeader = "X-Test-Rate-Limit";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Request.Headers[KeyHeader].ToString() is not { Length: > 0 } keyId)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var claims = new List<Claim> { new(PhoenixClaims.KeyId, keyId) };
        if (Request.Headers[LimitHeader].ToString() is { Length: > 0 } limit)
        {
            claims.Add(new Claim(PhoenixClaims.RateLimit, limit));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}
