using Microsoft.Extensions.Options;

namespace Phoenix.Gateway.Auth;

/// <summary>Cross-field rules of <see cref="JwtOptions"/>; every error is reported at once, none shows the key.</summary>
internal sealed class JwtOptionsValidator : IValidateOptions<JwtOptions>
{
    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.SigningKey is { } key)
        {
            var buffer = new byte[key.Length];
            if (!Convert.TryFromBase64String(key, buffer, out var length))
            {
                errors.Add($"{JwtOptions.Section}:SigningKey: must be base64.");
            }
            else if (length < JwtOptions.MinSigningKeyBytes)
            {
                errors.Add($"{JwtOptions.Section}:SigningKey: must be at least {JwtOptions.MinSigningKeyBytes} bytes (got {length}).");
            }
        }

        if (options.UsesExternalIssuer && options.SigningKey is not null)
        {
            errors.Add($"{JwtOptions.Section}: SigningKey and Authority/JwksUrl exclude each other (HS256 from the gateway, or RS256 from an external issuer).");
        }

        foreach (var (field, uri) in new[] { ("Authority", options.Authority), ("JwksUrl", options.JwksUrl) })
        {
            if (uri is null)
            {
                continue;
            }

            if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                errors.Add($"{JwtOptions.Section}:{field}: must be an absolute http(s) URL.");
            }
            else if (options.RequireHttpsMetadata && uri.Scheme != Uri.UriSchemeHttps)
            {
                errors.Add($"{JwtOptions.Section}:{field}: must be https (or set RequireHttpsMetadata to false, for development only).");
            }
        }

        if (options.JwksUrl is not null && options.Authority is null && string.IsNullOrWhiteSpace(options.Issuer))
        {
            errors.Add($"{JwtOptions.Section}:Issuer: is required with JwksUrl (a JWKS document does not name its issuer).");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            errors.Add($"{JwtOptions.Section}:Audience: must not be empty.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
