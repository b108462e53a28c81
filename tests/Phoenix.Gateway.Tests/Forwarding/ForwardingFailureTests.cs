using System.Runtime.Versioning;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Phoenix.Contracts.Executor;
using Phoenix.Gateway.Forwarding;
using Phoenix.Resilience.Circuits;
using Xunit.Abstractions;

namespace Phoenix.Gateway.Tests.Forwarding;

/// <summary>
/// What the gateway's own channel sees when a call cannot reach a real executor, and whether it is classified as
/// "certainly never started" (and so safe to send to another executor).
/// </summary>
[SupportedOSPlatform("linux")]
[Collection("Forwarding")]
public sealed class ForwardingFailureTests(ForwardingCertificates certificates, ITestOutputHelper output) : IClassFixture<ForwardingCertificates>
{
    [Fact]
    public async Task NeverStarted_ExecutorRejectsGatewayCertificate_IsTrue()
    {
        await using var stack = await StartTlsExecutorAsync();
        using var pool = Pool(stack, new ExecutorTlsOptions
        {
            CaPath = certificates.CaPath,
            ClientCertificatePath = certificates.ForeignClientCertificatePath,
            ClientKeyPath = certificates.ForeignClientKeyPath,
        });

        var failure = await CallAsync(pool);

        Assert.True(ForwardingFailure.NeverStarted(failure), failure.ToString());
        Assert.Equal(0, stack.Counter.Runs(stack.Executors[0].Name));
    }

    [Fact]
    public async Task NeverStarted_GatewayPresentsNoCertificate_IsTrue()
    {
        await using var stack = await StartTlsExecutorAsync();
        using var pool = Pool(stack, new ExecutorTlsOptions { CaPath = certificates.CaPath });

        var failure = await CallAsync(pool);

        Assert.True(ForwardingFailure.NeverStarted(failure), failure.ToString());
        Assert.Equal(0, stack.Counter.Runs(stack.Executors[0].Name));
    }

    [Fact]
    public async Task NeverStarted_ExecutorCertificateFromUntrustedCa_IsTrue()
    {
        await using var stack = await StartTlsExecutorAsync();
        using var pool = Pool(stack, new ExecutorTlsOptions
        {
            CaPath = certificates.OtherCaPath,
            ClientCertificatePath = certificates.ClientCertificatePath,
            ClientKeyPath = certificates.ClientKeyPath,
        });

        var failure = await CallAsync(pool);

        Assert.True(ForwardingFailure.NeverStarted(failure), failure.ToString());
    }

    [Fact]
    public async Task NeverStarted_ExecutorStopped_IsTrue()
    {
        await using var stack = await ForwardingStack.StartAsync(new ForwardingStackOptions { Executors = 1 });
        await stack.Executors[0].StopAsync();
        using var pool = Pool(stack, tls: null);

        var failure = await CallAsync(pool);

        Assert.True(ForwardingFailure.NeverStarted(failure), failure.ToString());
    }

    private static ExecutorPool Pool(ForwardingStack stack, ExecutorTlsOptions? tls) =>
        new(
            Options.Create(new ForwardingOptions
            {
                Executors = [new ExecutorEndpointOptions { Name = "probe", Address = stack.Executors[0].Address.ToString() }],
                Tls = tls,
            }),
            new CircuitRegistry(),
            TimeProvider.System);

    private async Task<RpcException> CallAsync(ExecutorPool pool)
    {
        var failure = await Assert.ThrowsAsync<RpcException>(() => pool.Endpoints[0].Client.ExecuteAsync(
            new ExecuteRequest { RunId = Guid.NewGuid().ToString("N"), Command = "true" },
            deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync);
        output.WriteLine(failure.ToString());
        return failure;
    }

    private Task<ForwardingStack> StartTlsExecutorAsync() => ForwardingStack.StartAsync(new ForwardingStackOptions
    {
        Executors = 1,
        Https = true,
        ExecutorSettings = new Dictionary<string, string?>
        {
            ["Phoenix:Executor:Tls:CertificatePath"] = certificates.ServerCertificatePath,
            ["Phoenix:Executor:Tls:KeyPath"] = certificates.ServerKeyPath,
            ["Phoenix:Executor:Tls:ClientCaPath"] = certificates.CaPath,
        },
        GatewaySettings = new Dictionary<string, string?> { ["Phoenix:Gateway:Forwarding:Tls:CaPath"] = certificates.CaPath },
    });
}
