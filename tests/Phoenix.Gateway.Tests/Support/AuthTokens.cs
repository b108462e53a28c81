using System.Buffers.Text;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Phoenix.Gateway.Tests.Support;

/// <summary>Builds JWTs for tests, good and bad.</summary>
internal static class AuthTokens
{
    public const string Issuer = "phoenix";
    public const string Audience = "phoenix-api";

    /// <summary>A fresh 32-byte key, base64 (for <c>Phoenix:Gateway:Jwt:SigningKey</c>).</summary>
    public static string NewSigningKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>A token signed by <paramref name="credentials"/> with the given claims and times.</summary>
    public static string Create(
        SigningCredentials credentials,
        string keyId,
        string[] permissions,
        string issuer = Issuer,
        string audience = Audience,
        DateTime? expires = null,
        DateTime? notBefore = null)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = (notBefore ?? now).AddSeconds(-1),
            NotBefore = notBefore ?? now.AddSeconds(-1),
            Expires = expires ?? now.AddMinutes(5),
            SigningCredentials = credentials,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = keyId,
                ["phoenix:permission"] = permissions,
            },
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>HS256 credentials from a base64 key.</summary>
    public static SigningCredentials Hs256(string base64Key) =>
        new(new SymmetricSecurityKey(Convert.FromBase64String(base64Key)), SecurityAlgorithms.HmacSha256);

    /// <summary>An unsigned token (<c>alg: none</c>), header.payload. with an empty signature.</summary>
    public static string Unsigned(string keyId, string[] permissions)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = JsonSerializer.Serialize(new Dictionary<string, object> { ["alg"] = "none", ["typ"] = "JWT" });
        var payload = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["sub"] = keyId,
            ["phoenix:permission"] = permissions,
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 300,
        });
        return B64(header) + "." + B64(payload) + ".";
    }

    /// <summary>Gets a token from the host's <c>/token</c> endpoint with <paramref name="apiKey"/>.</summary>
    public static async Task<JsonElement> FetchAsync(AuthTestHost host, string apiKey)
    {
        using var response = await host.GetAsync("/token", apiKey);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string B64(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
}
