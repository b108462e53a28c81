using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Phoenix.Contracts.Executor;
using Phoenix.Executor.Tests.Support;

namespace Phoenix.Executor.Tests.Grpc;

[SupportedOSPlatform("linux")]
public sealed class ExecutorTlsTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    [Fact]
    public async Task Execute_TlsWithoutClientCa_RunsOverHttps()
    {
        await using var host = await StartAsync(mutual: false);
        Assert.Equal("https", host.Address.Scheme);
        using var channel = Channel(host.Address, clientCertificate: null);

        var result = await Echo(channel, "over tls");

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("over tls\n", result.Stdout);
    }

    [Fact]
    public async Task Execute_PlainH2cAgainstTlsPort_Fails()
    {
        await using var host = await StartAsync(mutual: false);
        using var channel = GrpcChannel.ForAddress(new UriBuilder(host.Address) { Scheme = "http" }.Uri);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Echo(channel, "cleartext"));

        Assert.Contains(ex.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Internal });
    }

    [Fact]
    public async Task Execute_MutualTlsWithClientCertificateFromCa_Runs()
    {
        await using var host = await StartAsync(mutual: true);
        using var channel = Channel(host.Address, certificates.Client);

        var result = await Echo(channel, "mutual");

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("mutual\n", result.Stdout);
    }

    [Fact]
    public async Task Execute_MutualTlsWithoutClientCertificate_Fails()
    {
        await using var host = await StartAsync(mutual: true);
        using var channel = Channel(host.Address, clientCertificate: null);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Echo(channel, "anonymous"));

        Assert.Contains(ex.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Internal });
    }

    [Fact]
    public async Task Execute_MutualTlsWithClientCertificateFromAnotherCa_Fails()
    {
        await using var host = await StartAsync(mutual: true);
        using var channel = Channel(host.Address, certificates.ForeignClient);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Echo(channel, "foreign"));

        Assert.Contains(ex.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Internal });
    }

    [Fact]
    public async Task Execute_ServerCertificateNotFromTrustedCa_ClientRefuses()
    {
        // The client side of the check: a client trusting only another CA refuses this server.
        await using var host = await StartAsync(mutual: false);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(certificates.OtherCa);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var leaf = X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData());
            return chain.Build(leaf);
        };
        using var channel = GrpcChannel.ForAddress(host.Address, new GrpcChannelOptions { HttpHandler = handler });

        var ex = await Assert.ThrowsAsync<RpcException>(() => Echo(channel, "untrusted"));

        Assert.Contains(ex.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Internal });
    }

    private Task<ExecutorHost> StartAsync(bool mutual)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Phoenix:Executor:Listen"] = "https://127.0.0.1:0",
            ["Phoenix:Executor:Tls:CertificatePath"] = certificates.ServerCertificatePath,
            ["Phoenix:Executor:Tls:KeyPath"] = certificates.ServerKeyPath,
        };
        if (mutual)
        {
            settings["Phoenix:Executor:Tls:ClientCaPath"] = certificates.CaPath;
        }

        return ExecutorHost.StartAsync(settings);
    }

    private GrpcChannel Channel(Uri address, X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => certificates.IsTrustedServer(certificate, errors);
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    private static async Task<ExecuteResult> Echo(GrpcChannel channel, string text)
    {
        var request = new ExecuteRequest { Command = "echo" };
        request.Args.Add(text);
        return await new Contracts.Executor.Executor.ExecutorClient(channel).ExecuteAsync(request, deadline: DateTime.UtcNow.AddMinutes(1));
    }
}
