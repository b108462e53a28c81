using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Phoenix.Gateway.Api;
using Phoenix.Resilience.Errors;

namespace Phoenix.Gateway.Auth;

/// <summary>
/// Issues the short-lived HS256 tokens of <c>GET /api/v1/token</c>: the caller's own key id (<c>sub</c> and
/// <see cref="PhoenixClaims.KeyId"/>) and permissions (<see cref="PhoenixClaims.Permission"/>), issuer and audience
/// from <see cref="JwtOptions"/>, lifetime <see cref="JwtOptions.TokenLifetime"/> (default 15 minutes) on the injected
/// <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// With an external issuer (<see cref="JwtOptions.UsesExternalIssuer"/>) the gateway issues nothing:
/// <see cref="IsEnabled"/> is false and the endpoint should answer <see cref="NotIssuedHere"/> (404): the resource
/// does not exist in that configuration, whatever the caller does (unlike a 409, which would suggest a retry after
/// some state change on the caller's side).
/// </remarks>
internal sealed class TokenIssuer
{
    /// <summary>The answer of the token endpoint when tokens come from an external issuer.</summary>
    public static readonly PhoenixError NotIssuedHere = PhoenixError.Create(
        ErrorKind.NotFound, "token.external_issuer", "This gateway does not issue tokens; obtain one from the configured identity provider.");

    private readonly JwtOptions _options;
    private readonly JwtSigningKey _signingKey;
    private readonly TimeProvider _time;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public TokenIssuer(IOptions<JwtOptions> options, JwtSigningKey signingKey, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _signingKey = signingKey;
        _time = time;
    }

    /// <summary>Whether this gateway issues tokens (HS256 configured, no external issuer).</summary>
    public bool IsEnabled => !_options.UsesExternalIssuer;

    /// <summary>A token for <paramref name="caller"/>'s key id and permissions.</summary>
    /// <param name="caller">An authenticated Phoenix principal.</param>
    /// <exception cref="InvalidOperationException">Tokens are not issued here (check <see cref="IsEnabled"/>), or the caller has no key id.</exception>
    public TokenResponseDto Issue(ClaimsPrincipal caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!IsEnabled)
        {
            throw new InvalidOperationException("Tokens come from an external issuer; check IsEnabled first.");
        }

        var keyId = caller.FindFirst(PhoenixClaims.KeyId)?.Value
            ?? throw new InvalidOperationException("The caller is not an authenticated Phoenix principal (no key id claim).");
        var permissions = caller.FindAll(PhoenixClaims.Permission).Select(c => c.Value).Distinct(StringComparer.Ordinal).ToArray();
        var now = _time.GetUtcNow();
        var lifetime = _options.TokenLifetime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = _options.EffectiveIssuer,
            Audience = _options.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(_signingKey.Key, SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = keyId,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
                [PhoenixClaims.KeyId] = keyId,
                [PhoenixClaims.Permission] = permissions,
            },
        };

        return new TokenResponseDto(_handler.CreateToken(descriptor), "Bearer", (int)lifetime.TotalSeconds, keyId, permissions);
    }
}
