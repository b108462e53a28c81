using System.Net;
using System.Net.Security;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Phoenix.Gateway.Tests.Support;

namespace Phoenix.Gateway.Tests.Api;

/// <summary>The public edge: TLS from a certificate file (with HSTS), and CORS closed by default, open only to configured origins.</summary>
[SupportedOSPlatform("linux")]
public sealed class GatewayEdgeTests
{
    [Fact]
    public async Task Https_CertificateFromFile_ServesTlsWithHsts()
    {
        var dir = Path.Join("/var/lib/phoenix-tests", "edge-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllTextAsync(Path.Join(dir, "cert.pem"), certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(Path.Join(dir, "key.pem"), key.ExportPkcs8PrivateKeyPem());

            await using var stack = await GatewayStack.StartAsync(new Dictionary<string, string?>
            {
                ["Phoenix:Gateway:Listen"] = "https://127.0.0.1:0",
                ["Phoenix:Gateway:TlsCertificatePath"] = Path.Join(dir, "cert.pem"),
                ["Phoenix:Gateway:TlsKeyPath"] = Path.Join(dir, "key.pem"),
            });
            var thumbprint = certificate.Thumbprint;
            using var handler = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && new X509Certificate2(presented).Thumbprint == thumbprint,
                },
            };
            using var client = new HttpClient(handler) { BaseAddress = stack.Address };
            client.DefaultRequestHeaders.Add("X-Phoenix-Api-Key", stack.Key);

            using var response = await client.PostAsync("/api/v1/execute", GatewayStack.Json("""{"command":"echo","args":["tls"]}"""));

            Assert.Equal("https", stack.Address.Scheme);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("max-age=", response.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
            using var plain = new HttpClient { BaseAddress = new Uri("http://" + stack.Address.Authority) };
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync("/healthz"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Cors_NoOriginsConfigured_PreflightGetsNoAllowOrigin()
    {
        await using var stack = await GatewayStack.StartAsync();
        using var client = stack.Anonymous();

        using var response = await client.SendAsync(Preflight("https://evil.example"));

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Cors_ConfiguredOrigin_AllowedAndOthersNot()
    {
        await using var stack = await GatewayStack.StartAsync(new Dictionary<string, string?> { ["Phoenix:Gateway:CorsOrigins:0"] = "https://app.example" });
        using var client = stack.Anonymous();

        using var allowed = await client.SendAsync(Preflight("https://app.example"));
        using var denied = await client.SendAsync(Preflight("https://evil.example"));

        Assert.Equal("https://app.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(denied.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/execute");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type,x-phoenix-api-key");
        return request;
    }
}
