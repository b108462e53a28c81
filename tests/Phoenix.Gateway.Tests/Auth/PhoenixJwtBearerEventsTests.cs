using System.Net;
using Microsoft.IdentityModel.Tokens;
using Phoenix.Gateway.Auth;
using Phoenix.Gateway.Tests.Support;

namespace Phoenix.Gateway.Tests.Auth;

public sealed class PhoenixJwtBearerEventsTests : IDisposable
{
    private const string InvalidTokenChallenge = "ApiKey header=\"X-Phoenix-Api-Key\", Bearer realm=\"phoenix\", error=\"invalid_token\"";
    private readonly AuthKeysDirectory _keys = new();
    private readonly string _key = ApiKeys.Generate();
    private readonly string _signingKey = AuthTokens.NewSigningKey();

    public PhoenixJwtBearerEventsTests() => _keys.Write(AuthKeysDirectory.Entry("ci", _key, "execute"));

    public void Dispose() => _keys.Dispose();

    private Dictionary<string, string?> Settings => new() { ["Phoenix:Gateway:Jwt:SigningKey"] = _signingKey };

    [Fact]
    public async Task TokenValidated_KeyDisabledSinceIssue_Returns401()
    {
        await using var host = await AuthTestHost.StartAsync(_keys, Settings);
        var jwt = (await AuthTokens.FetchAsync(host, _key)).GetProperty("accessToken").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/execute", bearer: jwt)).StatusCode);

        _keys.Write(AuthKeysDirectory.Entry("ci", _key, "execute") with { Disabled = true });

        using var response = await host.WaitForStatusAsync(HttpStatusCode.Unauthorized, "/execute", bearer: jwt);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(InvalidTokenChallenge, string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString())));
        Assert.Equal("auth.expired_or_disabled", (await AuthTestHost.ProblemAsync(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task TokenValidated_KeyRemovedFromFile_Returns401()
    {
        await using var host = await AuthTestHost.StartAsync(_keys, Settings);
        var jwt = AuthTokens.Create(AuthTokens.Hs256(_signingKey), "ghost", ["admin"]);

        using var response = await host.GetAsync("/execute", bearer: jwt);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task TokenValidated_PermissionsBeyondTheKeys_AreDropped()
    {
        await using var host = await AuthTestHost.StartAsync(_keys, Settings);
        var jwt = AuthTokens.Create(AuthTokens.Hs256(_signingKey), "ci", ["execute", "admin", "made-up"]);

        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/execute", bearer: jwt)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.GetAsync("/admin", bearer: jwt)).StatusCode);
    }

    [Fact]
    public async Task Challenge_NoToken_Returns401Missing()
    {
        await using var host = await AuthTestHost.StartAsync(_keys, Settings);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/execute");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer ");

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Challenge_GarbageToken_Returns401InvalidToken()
    {
        await using var host = await AuthTestHost.StartAsync(_keys, Settings);

        using var response = await host.GetAsync("/execute", bearer: "not.a.jwt");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(InvalidTokenChallenge, string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString())));
        Assert.Equal("auth.invalid", (await AuthTestHost.ProblemAsync(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task TokenValidated_KeyIdClaimWithoutSub_IsUsed()
    {
        await using var host = await AuthTestHost.StartAsync(_keys, Settings);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = AuthTokens.Issuer,
            Audience = AuthTokens.Audience,
            Expires = DateTime.UtcNow.AddMinutes(1),
            SigningCredentials = AuthTokens.Hs256(_signingKey),
            Claims = new Dictionary<string, object> { [PhoenixClaims.KeyId] = "ci", [PhoenixClaims.Permission] = new[] { "execute" } },
        };
        var jwt = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(descriptor);

        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/execute", bearer: jwt)).StatusCode);
    }
}
