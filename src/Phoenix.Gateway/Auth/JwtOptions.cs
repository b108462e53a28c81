using System.ComponentModel.DataAnnotations;

namespace Phoenix.Gateway.Auth;

/// <summary>
/// Bearer tokens (<c>Phoenix:Gateway:Jwt</c>). Two modes: HS256 tokens issued by the gateway itself
/// (<c>GET /api/v1/token</c>) with <see cref="SigningKey"/>; or RS256 tokens of an external issuer when
/// <see cref="Authority"/> (OpenID Connect discovery) or <see cref="JwksUrl"/> (a bare JWKS document) is set.
/// </summary>
internal sealed class JwtOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Phoenix:Gateway:Jwt";

    /// <summary>The issuer of gateway-issued tokens when none is configured.</summary>
    public const string DefaultIssuer = "phoenix";

    /// <summary>The smallest HS256 signing key accepted, in bytes.</summary>
    public const int MinSigningKeyBytes = 32;

    /// <summary>HS256 signing key, base64, at least 32 bytes. Unset: a random key per process (tokens die with it).</summary>
    public string? SigningKey { get; set; }

    /// <summary>The expected (and, for HS256, issued) <c>iss</c>. Default <c>phoenix</c>; with <see cref="Authority"/>, the discovered issuer.</summary>
    public string? Issuer { get; set; }

    /// <summary>The expected (and issued) <c>aud</c>. Default <c>phoenix-api</c>.</summary>
    [Required]
    public string Audience { get; set; } = "phoenix-api";

    /// <summary>External issuer (OpenID Connect discovery at <c>{Authority}/.well-known/openid-configuration</c>); RS256.</summary>
    public Uri? Authority { get; set; }

    /// <summary>External issuer's JWKS document, when there is no discovery document; RS256; needs <see cref="Issuer"/>.</summary>
    public Uri? JwksUrl { get; set; }

    /// <summary>Whether the discovery and JWKS documents must be fetched over HTTPS. Default <see langword="true"/>.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Lifetime of gateway-issued tokens. Default 15 minutes; 1 minute to 24 hours.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Whether tokens come from an external issuer (RS256) rather than from the gateway (HS256).</summary>
    public bool UsesExternalIssuer => Authority is not null || JwksUrl is not null;

    /// <summary>The issuer of gateway-issued tokens.</summary>
    public string EffectiveIssuer => string.IsNullOrWhiteSpace(Issuer) ? DefaultIssuer : Issuer;
}
