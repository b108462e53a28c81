using System.Net;
using System.Runtime.Versioning;
using Phoenix.Gateway.Tests.Support;

namespace Phoenix.Gateway.Tests.Forwarding;

/// <summary>Gateway → executor over mTLS: the executor's certificate is checked against the configured CA, and the executor accepts only gateways whose certificate its CA issued.</summary>
[SupportedOSPlatform("linux")]
[Collection("Forwarding")]
public sealed class MutualTlsForwardingTests(ForwardingCertificates certificates) : IClassFixture<ForwardingCertificates>
{
    private const string Echo = """{"command":"sh","args":["-c","echo over-mtls"]}""";

    [Fact]
    public async Task Execute_GatewayCertificateFromExecutorsCa_RunsOverMtls()
    {
        await using var stack = await StartAsync(certificates.ClientCertificatePath, certificates.ClientKeyPath);

        var run = await stack.ExecuteAsync(Echo);

        Assert.True(run.Code == HttpStatusCode.OK && run.Status == "succeeded", run.ToString());
        Assert.Equal("over-mtls\n", run.Body.GetProperty("stdout").GetString());
        Assert.Equal(stack.Executors[0].Name, run.Executor);
        Assert.Equal("https", stack.Executors[0].Address.Scheme);
        await Eventually.TrueAsync(async () => (await stack.HealthAsync()) is { Code: HttpStatusCode.OK, Status: "SERVING" });
    }

    [Fact]
    public async Task Execute_GatewayCertificateFromOtherCa_Is503AndExecutorMarkedDown()
    {
        await using var stack = await StartAsync(certificates.ForeignClientCertificatePath, certificates.ForeignClientKeyPath);

        await AssertRefusedAsync(stack);
    }

    [Fact]
    public async Task Execute_NoGatewayCertificate_Is503AndExecutorMarkedDown()
    {
        await using var stack = await StartAsync(clientCertificate: null, clientKey: null);

        await AssertRefusedAsync(stack);
    }

    private static async Task AssertRefusedAsync(ForwardingStack stack)
    {
        var run = await stack.ExecuteAsync(Echo);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, run.Code);
        Assert.True(run.IsProblem, run.ToString());
        Assert.True(run.RetryAfter > TimeSpan.Zero, run.ToString());
        Assert.DoesNotContain("127.0.0.1", run.Text, StringComparison.Ordinal);
        var name = stack.Executors[0].Name;
        await Eventually.TrueAsync(async () => (await stack.HealthAsync()) is { Code: HttpStatusCode.ServiceUnavailable, Status: "CRITICAL" } health
            && health.Dependencies["executor:" + name].Status == "down");
        Assert.Equal(0, stack.Counter.Runs(name));
    }

    private Task<ForwardingStack> StartAsync(string? clientCertificate, string? clientKey)
    {
        var gateway = new Dictionary<string, string?> { ["Phoenix:Gateway:Forwarding:Tls:CaPath"] = certificates.CaPath };
        if (clientCertificate is not null)
        {
            gateway["Phoenix:Gateway:Forwarding:Tls:ClientCertificatePath"] = clientCertificate;
            gateway["Phoenix:Gateway:Forwarding:Tls:ClientKeyPath"] = clientKey;
        }

        return ForwardingStack.StartAsync(new ForwardingStackOptions
        {
            Executors = 1,
            Https = true,
            ExecutorSettings = new Dictionary<string, string?>
            {
                ["Phoenix:Executor:Tls:CertificatePath"] = certificates.ServerCertificatePath,
                ["Phoenix:Executor:Tls:KeyPath"] = certificates.ServerKeyPath,
                ["Phoenix:Executor:Tls:ClientCaPath"] = certificates.CaPath,
            },
            GatewaySettings = gateway,
        });
    }
}
