using System.Net;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using Phoenix.Gateway.Auth;
using Phoenix.Gateway.Tests.Support;

namespace Phoenix.Gateway.Tests.Auth;

public sealed class ConfigureJwtBearerOptionsTests : IDisposable
{
    private readonly AuthKeysDirectory _keys = new();
    private readonly string _signingKey = AuthTokens.NewSigningKey();

    public ConfigureJwtBearerOptionsTests() => _keys.Write(AuthKeysDirectory.Entry("ci", ApiKeys.Generate(), "execute"));

    public void Dispose() => _keys.Dispose();

    private Dictionary<string, string?> Settings => new() { ["Phoenix:Gateway:Jwt:SigningKey"] = _signingKey };

    [Fact]
    public async Task Validate_WellFormedHs256Token_Returns200()
    {
        await using var host = await AuthTestHost.StartAsync(_keys, Settings);

        using var response = await host.GetAsync("/execute", bearer: AuthTokens.Create(AuthTokens.Hs256(_signingKey), "ci", ["execute"]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Validate_AlgNone_Returns401()
    {
        await using var host = await AuthTestHost.StartAsync(_keys, Settings);

        using var response = await host.GetAsync("/execute", bearer: AuthTokens.Unsigned("ci", ["execute"]));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Validate_WrongSignature_Returns401()
    {
        await using var host = await AuthTestHost.StartAsync(_keys, Settings);

        using var response = await host.GetAsync("/execute", bearer: AuthTokens.Create(AuthTokens.Hs256(AuthTokens.NewSigningKey()), "ci", ["execute"]));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Validate_WrongIssuer_Returns401()
    {
        await using var host = await AuthTestHost.StartAsync(_keys, Settings);

        using var response = await host.GetAsync("/execute", bearer: AuthTokens.Create(AuthTokens.Hs256(_signingKey), "ci", ["execute"], issuer: "evil"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Validate_WrongAudience_Returns401()
    {
        await using var host = await AuthTestHost.StartAsync(_keys, Settings);

        using var response = await host.GetAsync("/execute", bearer: AuthTokens.Create(AuthTokens.Hs256(_signingKey), "ci", ["execute"], audience: "other-api"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Validate_Expired_Returns401ExpiredOrDisabled()
    {
        await using var host = await AuthTestHost.StartAsync(_keys, Settings);
        var past = DateTime.UtcNow.AddMinutes(-10);

        using var response = await host.GetAsync("/execute", bearer: AuthTokens.Create(AuthTokens.Hs256(_signingKey), "ci", ["execute"], expires: past.AddMinutes(5), notBefore: past));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("auth.expired_or_disabled", (await AuthTestHost.ProblemAsync(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Validate_ExpiredWithinClockSkew_Returns200()
    {
        await using var host = await AuthTestHost.StartAsync(_keys, Settings);
        var now = DateTime.UtcNow;

        using var response = await host.GetAsync("/execute", bearer: AuthTokens.Create(AuthTokens.Hs256(_signingKey), "ci", ["execute"], expires: now.AddSeconds(-10), notBefore: now.AddMinutes(-1)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Validate_Rs256FromConfiguredJwks_Returns200AndAlgorithmConfusionReturns401()
    {
        await using var idp = await AuthJwksServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Phoenix:Gateway:Jwt:JwksUrl"] = idp.JwksUrl.ToString(),
            ["Phoenix:Gateway:Jwt:Issuer"] = AuthJwksServer.Issuer,
            ["Phoenix:Gateway:Jwt:RequireHttpsMetadata"] = "false",
        };
        await using var host = await AuthTestHost.StartAsync(_keys, settings);
        var good = AuthTokens.Create(idp.Credentials, "external-user", ["execute"], issuer: AuthJwksServer.Issuer);
        var publicKeyAsSecret = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(idp.Rsa.ExportSubjectPublicKeyInfoPem())) { KeyId = AuthJwksServer.KeyId };
        var confused = AuthTokens.Create(new SigningCredentials(publicKeyAsSecret, SecurityAlgorithms.HmacSha256), "external-user", ["execute"], issuer: AuthJwksServer.Issuer);
        var wrongIssuer = AuthTokens.Create(idp.Credentials, "external-user", ["execute"], issuer: "phoenix");

        using var accepted = await host.GetAsync("/execute", bearer: good);
        using var whoami = await host.GetAsync("/whoami", bearer: good);
        using var rejected = await host.GetAsync("/execute", bearer: confused);
        using var otherIssuer = await host.GetAsync("/execute", bearer: wrongIssuer);
        using var forbidden = await host.GetAsync("/vitals", bearer: good);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Contains("phoenix:key_id=external-user", await whoami.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherIssuer.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Fact]
    public async Task Validate_Hs256Configured_RejectsRs256Token()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        await using var host = await AuthTestHost.StartAsync(_keys, Settings);
        var token = AuthTokens.Create(new SigningCredentials(new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256), "ci", ["execute"]);

        using var response = await host.GetAsync("/execute", bearer: token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
