using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>Hand-built JWTs (any header, any payload, HMAC signatures computed here) for forged and malformed tokens.</summary>
internal static class HostileJwt
{
    /// <summary>
    /// The standard claims of a gateway token for <paramref name="keyId"/>: iss <c>phoenix</c>, aud <c>phoenix-api</c>,
    /// sub, permissions, iat/nbf now, exp in 5 minutes (or <paramref name="expiresInSeconds"/>).
    /// </summary>
    public static JsonObject Claims(string keyId, string[] permissions, long expiresInSeconds = 300)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = "phoenix",
            ["aud"] = "phoenix-api",
            ["sub"] = keyId,
            ["phoenix:key_id"] = keyId,
            ["phoenix:permission"] = new JsonArray(permissions.Select(p => (JsonNode)JsonValue.Create(p)).ToArray()),
            ["iat"] = now - 1,
            ["nbf"] = now - 1,
            ["exp"] = now + expiresInSeconds,
        };
    }

    /// <summary>A token with header <c>{"alg":alg,"typ":"JWT"}</c>, signed with HMAC (HS256/384/512) under <paramref name="key"/>; other algs get an empty signature.</summary>
    public static string Create(string alg, JsonObject claims, byte[]? key)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var header = new JsonObject { ["alg"] = alg, ["typ"] = "JWT" };
        var signingInput = B64(header.ToJsonString()) + "." + B64(claims.ToJsonString());
        var input = Encoding.ASCII.GetBytes(signingInput);
        byte[] signature = (alg, key) switch
        {
            ("HS256", { } k) => HMACSHA256.HashData(k, input),
            ("HS384", { } k) => HMACSHA384.HashData(k, input),
            ("HS512", { } k) => HMACSHA512.HashData(k, input),
            _ => [],
        };
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    private static string B64(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
}
