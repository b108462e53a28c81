using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Phoenix.Gateway.Auth;

/// <summary>
/// The <see cref="ApiKeyDefaults.Scheme"/> scheme: reads the key from the <see cref="ApiKeyDefaults.HeaderName"/>
/// header only, hashes it and compares it with every stored hash in constant time (<see cref="ApiKeyStore.Match"/>).
/// A disabled or expired key fails; malformed values (too long, non-printable, several headers) fail without throwing.
/// Success gives <see cref="PhoenixClaims.KeyId"/>, one <see cref="PhoenixClaims.Permission"/> per permission and
/// <see cref="PhoenixClaims.RateLimit"/> when the key has one.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler : AuthenticationHandler<AuthenticationSchemeOptions>
{
    private readonly ApiKeyStore _store;
    private readonly TimeProvider _time;

    public ApiKeyAuthenticationHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        ApiKeyStore store,
        TimeProvider time)
        : base(options, logger, encoder)
    {
        _store = store;
        _time = time;
    }

    /// <summary>Builds the principal of an authenticated key.</summary>
    internal static ClaimsPrincipal CreatePrincipal(string keyId, IEnumerable<string> permissions, int? rateLimitPerMinute, string authenticationType)
    {
        var claims = new List<Claim> { new(PhoenixClaims.KeyId, keyId) };
        claims.AddRange(permissions.Distinct(StringComparer.Ordinal).Select(p => new Claim(PhoenixClaims.Permission, p)));
        if (rateLimitPerMinute is { } limit)
        {
            claims.Add(new Claim(PhoenixClaims.RateLimit, limit.ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer32));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, PhoenixClaims.KeyId, roleType: null));
    }

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var values = Request.Headers[ApiKeyDefaults.HeaderName];
        if (values.Count == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (values.Count > 1)
        {
            return Task.FromResult(Fail(AuthFailureReason.Invalid, null, "several key headers"));
        }

        var key = values[0];
        if (string.IsNullOrEmpty(key))
        {
            return Task.FromResult(Fail(AuthFailureReason.Invalid, null, "empty key header"));
        }

        if (key.Length > ApiKeys.MaxKeyLength || !IsPrintableAscii(key))
        {
            return Task.FromResult(Fail(AuthFailureReason.Invalid, null, "malformed key header"));
        }

        var entry = _store.Match(key);
        if (entry is null)
        {
            return Task.FromResult(Fail(AuthFailureReason.Invalid, null, "unknown key"));
        }

        if (entry.Disabled)
        {
            return Task.FromResult(Fail(AuthFailureReason.ExpiredOrDisabled, entry.Id, "key disabled"));
        }

        if (!entry.IsActive(_time.GetUtcNow()))
        {
            return Task.FromResult(Fail(AuthFailureReason.ExpiredOrDisabled, entry.Id, "key expired"));
        }

        var principal = CreatePrincipal(entry.Id, entry.Permissions, entry.RateLimitPerMinute, ApiKeyDefaults.Scheme);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        AuthProblemResponses.WriteChallengeAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        AuthProblemResponses.WriteForbiddenAsync(Context);

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private AuthenticateResult Fail(AuthFailureReason reason, string? keyId, string detail)
    {
        var failure = new AuthFailure(reason, keyId, detail, BearerToken: false);
        failure.Set(Context);
        return AuthenticateResult.Fail(AuthFailure.PublicReason(reason));
    }
}
