using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Phoenix.Gateway.Auth;

/// <summary>
/// Configures the <see cref="JwtBearerDefaults.AuthenticationScheme"/> scheme from <see cref="JwtOptions"/>:
/// exactly one accepted algorithm (HS256 with <see cref="JwtSigningKey"/>, or RS256 from the external issuer's keys),
/// issuer and audience checked, signed tokens with an expiry required, 30 s clock skew measured on the injected
/// <see cref="TimeProvider"/>, claims not renamed, events from <see cref="PhoenixJwtBearerEvents"/>.
/// </summary>
internal sealed class ConfigureJwtBearerOptions : IConfigureNamedOptions<JwtBearerOptions>
{
    /// <summary>Allowed difference between the issuer's clock and ours.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly JwtOptions _options;
    private readonly JwtSigningKey _signingKey;
    private readonly TimeProvider _time;

    public ConfigureJwtBearerOptions(IOptions<JwtOptions> options, JwtSigningKey signingKey, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _signingKey = signingKey;
        _time = time;
    }

    public void Configure(string? name, JwtBearerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (name != JwtBearerDefaults.AuthenticationScheme)
        {
            return;
        }

        options.MapInboundClaims = false;
        options.SaveToken = false;
        options.IncludeErrorDetails = false;
        options.EventsType = typeof(PhoenixJwtBearerEvents);
        options.RequireHttpsMetadata = _options.RequireHttpsMetadata;
        var parameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidAudience = _options.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = ClockSkew,
            LifetimeValidator = ValidateLifetime,
            NameClaimType = PhoenixClaims.KeyId,
            RoleClaimType = PhoenixClaims.Permission,
        };

        if (_options.UsesExternalIssuer)
        {
            parameters.ValidAlgorithms = [SecurityAlgorithms.RsaSha256];
            parameters.ValidIssuer = string.IsNullOrWhiteSpace(_options.Issuer) ? null : _options.Issuer;
            if (_options.Authority is { } authority)
            {
                options.Authority = authority.ToString();
            }
            else
            {
                options.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                    _options.JwksUrl!.ToString(),
                    new JwksConfigurationRetriever(),
                    new HttpDocumentRetriever { RequireHttps = _options.RequireHttpsMetadata });
            }
        }
        else
        {
            parameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
            parameters.ValidIssuer = _options.EffectiveIssuer;
            parameters.IssuerSigningKey = _signingKey.Key;
        }

        options.TokenValidationParameters = parameters;
    }

    public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);

    /// <summary>Lifetime on <see cref="TimeProvider"/>: an expiry is required; not-before and expiry allow <see cref="ClockSkew"/>.</summary>
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        if (expires is not { } expiry)
        {
            return false;
        }

        var now = _time.GetUtcNow().UtcDateTime;
        if (notBefore is { } start && start > now + ClockSkew)
        {
            return false;
        }

        if (expiry <= now - ClockSkew)
        {
            throw new SecurityTokenExpiredException("The token has expired.") { Expires = expiry };
        }

        return true;
    }
}
