using System.Security.Cryptography;
using System.Text;

namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>
/// Credentials: missing, forged, expired, unsigned and otherwise wrong JWTs; JWTs and keys in the query string;
/// disabled and expired keys; keys without the permission; other schemes.
/// </summary>
public sealed partial class HostileRequestTests
{
    private static readonly string[] Everything = ["execute", "vitals", "audit", "admin"];

    // name → (token factory over the fixture, expected status, expected problem code).
    private static readonly Dictionary<string, (Func<HostileStackFixture, string> Token, int Status, string Code)> Tokens = new(StringComparer.Ordinal)
    {
        ["empty"] = (_ => string.Empty, 401, "auth.missing"),
        ["garbage"] = (_ => "not-a-jwt", 401, "auth.invalid"),
        ["three-garbage-parts"] = (_ => "a.b.c", 401, "auth.invalid"),
        ["forged-other-key"] = (_ => HostileJwt.Create("HS256", HostileJwt.Claims("test-admin", Everything), RandomNumberGenerator.GetBytes(32)), 401, "auth.invalid"),
        ["alg-none"] = (_ => HostileJwt.Create("none", HostileJwt.Claims("test-admin", Everything), null), 401, "auth.invalid"),
        ["alg-none-uppercase"] = (_ => HostileJwt.Create("NONE", HostileJwt.Claims("test-admin", Everything), null), 401, "auth.invalid"),
        ["alg-hs512-right-key"] = (f => HostileJwt.Create("HS512", HostileJwt.Claims("test-admin", Everything), f.SigningKey), 401, "auth.invalid"),
        ["alg-rs256-hmac-confusion"] = (f => HostileJwt.Create("RS256", HostileJwt.Claims("test-admin", Everything), f.SigningKey), 401, "auth.invalid"),
        ["signature-stripped"] = (f => StripSignature(HostileJwt.Create("HS256", HostileJwt.Claims("test-admin", Everything), f.SigningKey)), 401, "auth.invalid"),
        ["expired"] = (f => HostileJwt.Create("HS256", HostileJwt.Claims("test-admin", Everything, expiresInSeconds: -600), f.SigningKey), 401, "auth.expired_or_disabled"),
        ["no-expiry"] = (f => HostileJwt.Create("HS256", Without(HostileJwt.Claims("test-admin", Everything), "exp"), f.SigningKey), 401, "auth.invalid"),
        ["wrong-audience"] = (f => HostileJwt.Create("HS256", With(HostileJwt.Claims("test-admin", Everything), "aud", "someone-else"), f.SigningKey), 401, "auth.invalid"),
        ["wrong-issuer"] = (f => HostileJwt.Create("HS256", With(HostileJwt.Claims("test-admin", Everything), "iss", "evil"), f.SigningKey), 401, "auth.invalid"),
        ["unknown-key-id"] = (f => HostileJwt.Create("HS256", HostileJwt.Claims("ghost", Everything), f.SigningKey), 401, "auth.expired_or_disabled"),
        ["disabled-key-id"] = (f => HostileJwt.Create("HS256", HostileJwt.Claims("disabled-key", Everything), f.SigningKey), 401, "auth.expired_or_disabled"),
        ["expired-key-id"] = (f => HostileJwt.Create("HS256", HostileJwt.Claims("expired-key", Everything), f.SigningKey), 401, "auth.expired_or_disabled"),
        ["vitals-key-claiming-execute"] = (f => HostileJwt.Create("HS256", HostileJwt.Claims("vitals-only", Everything), f.SigningKey), 403, "auth.forbidden"),
        ["oversize-20kb"] = (_ => new string('a', 20 * 1024), 401, "auth.invalid"),
    };

    public static TheoryData<string> TokenCases => Names(Tokens);

    [Theory]
    [MemberData(nameof(TokenCases))]
    public async Task Execute_BadBearerToken_IsRefused(string name)
    {
        var (token, status, code) = Tokens[name];
        var request = Request(HttpMethod.Post, Execute, key: null);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token(fixture));
        request.Content = GatewayStackJson(EchoBody);

        var response = await SendAsync(request);

        var problem = Expect(response, status);
        HostileAssert.HasCode(problem, code, response);
    }

    [Fact]
    public async Task Execute_ValidBearerToken_Runs()
    {
        var request = Request(HttpMethod.Post, Execute, key: null);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + HostileJwt.Create("HS256", HostileJwt.Claims("test-admin", Everything), fixture.SigningKey));
        request.Content = GatewayStackJson(EchoBody);

        Expect(await SendAsync(request), 200);
    }

    [Fact]
    public async Task Execute_ValidKeyHeaderWithForgedBearer_Is401()
    {
        var request = Request(HttpMethod.Post, Execute, AdminKey);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + HostileJwt.Create("none", HostileJwt.Claims("test-admin", Everything), null));
        request.Content = GatewayStackJson(EchoBody);

        Expect(await SendAsync(request), 401);
    }

    [Theory]
    [InlineData("access_token")]
    [InlineData("token")]
    [InlineData("jwt")]
    public async Task Execute_ValidJwtInQueryString_Is401(string parameter)
    {
        var token = HostileJwt.Create("HS256", HostileJwt.Claims("test-admin", Everything), fixture.SigningKey);
        var request = Request(HttpMethod.Post, Execute + "?" + parameter + "=" + token, key: null);
        request.Content = GatewayStackJson(EchoBody);

        var response = await SendAsync(request);

        HostileAssert.HasCode(Expect(response, 401), "auth.missing", response);
        Assert.DoesNotContain(token, response.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api_key")]
    [InlineData("X-Phoenix-Api-Key")]
    [InlineData("apiKey")]
    [InlineData("key")]
    public async Task Execute_AdminKeyInQueryString_Is401(string parameter)
    {
        var request = Request(HttpMethod.Post, Execute + "?" + parameter + "=" + AdminKey, key: null);
        request.Content = GatewayStackJson(EchoBody);

        var response = await SendAsync(request);

        HostileAssert.HasCode(Expect(response, 401), "auth.missing", response);
    }

    [Theory]
    [InlineData("disabled")]
    [InlineData("expired")]
    public async Task Execute_DisabledOrExpiredKey_Is401ExpiredOrDisabled(string which)
    {
        var key = which == "disabled" ? fixture.Disabled : fixture.Expired;
        var request = Request(HttpMethod.Post, Execute, key.Secret);
        request.Content = GatewayStackJson(EchoBody);

        var response = await SendAsync(request);

        HostileAssert.HasCode(Expect(response, 401), "auth.expired_or_disabled", response);
        Assert.DoesNotContain(key.Id, response.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("vitals", "POST", "/api/v1/execute")]
    [InlineData("vitals", "POST", "/api/v1/execute/stream")]
    [InlineData("vitals", "POST", "/api/v1/execute/validate")]
    [InlineData("vitals", "GET", "/api/v1/audit")]
    [InlineData("execute", "GET", "/api/v1/audit")]
    public async Task Endpoint_KeyWithoutPermission_Is403(string which, string method, string path)
    {
        var key = which == "vitals" ? fixture.VitalsOnly : fixture.ExecuteOnly;
        var request = Request(new HttpMethod(method), path, key.Secret);
        if (method == "POST")
        {
            request.Content = GatewayStackJson(EchoBody);
        }

        var response = await SendAsync(request);

        HostileAssert.HasCode(Expect(response, 403), "auth.forbidden", response);
    }

    [Theory]
    [InlineData("unknown-well-formed", "phx_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("hash-as-key", "HASH")]
    [InlineData("key-with-space", "phx_a b")]
    [InlineData("sql", "' OR '1'='1")]
    public async Task Execute_BadKey_Is401Invalid(string name, string key)
    {
        Assert.NotEmpty(name);
        var request = Request(HttpMethod.Post, Execute, key == "HASH" ? fixture.Admin.Hash : key);
        request.Content = GatewayStackJson(EchoBody);

        var response = await SendAsync(request);

        HostileAssert.HasCode(Expect(response, 401), "auth.invalid", response);
    }

    [Theory]
    [InlineData("Basic")]
    [InlineData("ApiKey")]
    [InlineData("Bearer")]
    public async Task Execute_AdminKeyInAuthorizationHeader_Is401(string scheme)
    {
        var credentials = scheme == "Basic" ? Convert.ToBase64String(Encoding.ASCII.GetBytes("test-admin:" + AdminKey)) : AdminKey;
        var request = Request(HttpMethod.Post, Execute, key: null);
        request.Headers.TryAddWithoutValidation("Authorization", scheme + " " + credentials);
        request.Content = GatewayStackJson(EchoBody);

        Expect(await SendAsync(request), 401);
    }

    private static string StripSignature(string token) => token[..(token.LastIndexOf('.') + 1)];

    private static System.Text.Json.Nodes.JsonObject Without(System.Text.Json.Nodes.JsonObject claims, string name)
    {
        claims.Remove(name);
        return claims;
    }

    private static System.Text.Json.Nodes.JsonObject With(System.Text.Json.Nodes.JsonObject claims, string name, string value)
    {
        claims[name] = value;
        return claims;
    }
}
