using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace Phoenix.Gateway.Tests.Support;

/// <summary>An external identity provider's JWKS (one RSA key, made for the test), served by a second loopback Kestrel app.</summary>
internal sealed class AuthJwksServer : IAsyncDisposable
{
    public const string KeyId = "test-rsa-1";
    public const string Issuer = "https://idp.example.test";

    private readonly WebApplication _app;

    private AuthJwksServer(WebApplication app, RSA rsa, Uri jwksUrl)
    {
        _app = app;
        Rsa = rsa;
        JwksUrl = jwksUrl;
    }

    public RSA Rsa { get; }

    public Uri JwksUrl { get; }

    public SigningCredentials Credentials => new(new RsaSecurityKey(Rsa) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256);

    public static async Task<AuthJwksServer> StartAsync()
    {
        var rsa = RSA.Create(2048);
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        var jwks = $$"""{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"{{KeyId}}","n":"{{Base64Url.EncodeToString(parameters.Modulus)}}","e":"{{Base64Url.EncodeToString(parameters.Exponent)}}"}]}""";
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/jwks.json", () => Results.Text(jwks, "application/json"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new AuthJwksServer(app, rsa, new Uri(new Uri(address), "/jwks.json"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Rsa.Dispose();
    }
}
