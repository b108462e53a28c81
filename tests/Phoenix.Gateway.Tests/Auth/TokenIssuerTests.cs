using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Phoenix.Gateway.Auth;
using Phoenix.Gateway.Tests.Support;

namespace Phoenix.Gateway.Tests.Auth;

public sealed class TokenIssuerTests : IDisposable
{
    private readonly AuthKeysDirectory _keys = new();
    private readonly string _key = ApiKeys.Generate();

    public TokenIssuerTests() => _keys.Write(AuthKeysDirectory.Entry("ci", _key, "execute", "vitals") with { RateLimitPerMinute = 42 });

    public void Dispose() => _keys.Dispose();

    [Fact]
    public async Task Issue_ApiKeyCaller_ReturnsHs256TokenThatAuthenticates()
    {
        await using var host = await AuthTestHost.StartAsync(_keys);

        var token = await AuthTokens.FetchAsync(host, _key);
        var jwt = token.GetProperty("accessToken").GetString()!;

        Assert.Equal("Bearer", token.GetProperty("tokenType").GetString());
        Assert.Equal(900, token.GetProperty("expiresIn").GetInt32());
        Assert.Equal("ci", token.GetProperty("keyId").GetString());
        Assert.Equal(["execute", "vitals"], token.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()!).ToArray());
        var parsed = new JsonWebToken(jwt);
        Assert.Equal("HS256", parsed.Alg);
        Assert.Equal("phoenix", parsed.Issuer);
        Assert.Equal(["phoenix-api"], parsed.Audiences);
        Assert.Equal(TimeSpan.FromMinutes(15), parsed.ValidTo - parsed.ValidFrom);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/execute", bearer: jwt)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.GetAsync("/audit", bearer: jwt)).StatusCode);
        using var whoami = await host.GetAsync("/whoami", bearer: jwt);
        var claims = await whoami.Content.ReadAsStringAsync();
        Assert.Contains("phoenix:key_id=ci", claims, StringComparison.Ordinal);
        Assert.Contains("phoenix:permission=execute", claims, StringComparison.Ordinal);
        Assert.Contains("phoenix:rate_limit=42", claims, StringComparison.Ordinal);
        host.AssertNeverNamed(_key, jwt, token.GetRawText(), claims);
    }

    [Fact]
    public async Task Issue_ConfiguredLifetimeAndIssuer_AreUsed()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Phoenix:Gateway:Jwt:TokenLifetime"] = "00:02:00",
            ["Phoenix:Gateway:Jwt:Issuer"] = "gw-1",
            ["Phoenix:Gateway:Jwt:Audience"] = "aud-1",
            ["Phoenix:Gateway:Jwt:SigningKey"] = AuthTokens.NewSigningKey(),
        };
        await using var host = await AuthTestHost.StartAsync(_keys, settings);

        var token = await AuthTokens.FetchAsync(host, _key);
        var jwt = new JsonWebToken(token.GetProperty("accessToken").GetString()!);

        Assert.Equal(120, token.GetProperty("expiresIn").GetInt32());
        Assert.Equal("gw-1", jwt.Issuer);
        Assert.Equal(["aud-1"], jwt.Audiences);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/execute", bearer: jwt.EncodedToken)).StatusCode);
    }

    [Fact]
    public async Task IsEnabled_ExternalIssuer_IsFalseAndEndpointAnswers404()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Phoenix:Gateway:Jwt:JwksUrl"] = "http://127.0.0.1:9/jwks.json",
            ["Phoenix:Gateway:Jwt:Issuer"] = "https://idp.example.test",
            ["Phoenix:Gateway:Jwt:RequireHttpsMetadata"] = "false",
        };
        await using var host = await AuthTestHost.StartAsync(_keys, settings);

        var issuer = host.App.Services.GetRequiredService<TokenIssuer>();
        using var response = await host.GetAsync("/token", _key);

        Assert.False(issuer.IsEnabled);
        Assert.Throws<InvalidOperationException>(() => issuer.Issue(new System.Security.Claims.ClaimsPrincipal()));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
