using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using Polly;
using Phoenix.Resilience.Circuits;

namespace Phoenix.Gateway.Forwarding;

/// <summary>
/// The executors from configuration, each with a Phoenix circuit breaker (registered in the
/// <see cref="CircuitRegistry"/> as <c>executor:{name}</c>). <see cref="Pick"/> chooses the available executor
/// with the fewest runs in flight, rotating among ties.
/// </summary>
internal sealed class ExecutorPool : IDisposable
{
    private readonly ExecutorEndpoint[] _endpoints;
    private int _rotation;

    public ExecutorPool(IOptions<ForwardingOptions> options, CircuitRegistry circuits, TimeProvider time)
    {
        var value = options.Value;
        _endpoints = value.ExecutorsOrDefault.Select(e =>
        {
            var address = new Uri(e.Address);
            var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
            {
                HttpHandler = CreateHandler(value.Tls),
                MaxReceiveMessageSize = 64 * 1024 * 1024,
                MaxSendMessageSize = 64 * 1024 * 1024,
            });
            var breaker = new ResiliencePipelineBuilder { TimeProvider = time }
                .AddPhoenixCircuitBreaker(new PhoenixCircuitBreakerStrategyOptions
                {
                    CircuitName = "executor:" + e.Name,
                    Settings = value.CircuitBreaker,
                    Registry = circuits,
                    ShouldHandle = IsTransportFailure,
                })
                .Build();
            return new ExecutorEndpoint(e.Name, address, channel, breaker, circuits, value.CircuitBreaker.BreakDuration, time);
        }).ToArray();
    }

    public IReadOnlyList<ExecutorEndpoint> Endpoints => _endpoints;

    /// <summary>The available executor with the fewest runs in flight, skipping <paramref name="tried"/>; null when none.</summary>
    public ExecutorEndpoint? Pick(IReadOnlyCollection<ExecutorEndpoint> tried)
    {
        var start = (int)((uint)Interlocked.Increment(ref _rotation) % (uint)_endpoints.Length);
        ExecutorEndpoint? best = null;
        for (var i = 0; i < _endpoints.Length; i++)
        {
            var candidate = _endpoints[(start + i) % _endpoints.Length];
            if (candidate.Available && !tried.Contains(candidate) && (best is null || candidate.InFlight < best.InFlight))
            {
                best = candidate;
            }
        }

        return best;
    }

    public void Dispose()
    {
        foreach (var endpoint in _endpoints)
        {
            endpoint.Dispose();
        }
    }

    /// <summary>A failure of the executor or the way to it (not of the request): counts against its circuit.</summary>
    internal static bool IsTransportFailure(Exception exception) =>
        exception is RpcException { StatusCode: StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.DataLoss }
        && !ForwardingFailure.NeverStarted((RpcException)exception, refusalOnly: true);

    private static SocketsHttpHandler CreateHandler(ExecutorTlsOptions? tls)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        if (tls is null)
        {
            return handler;
        }

        var ssl = new SslClientAuthenticationOptions();
        if (tls.ClientCertificatePath is { Length: > 0 } cert && tls.ClientKeyPath is { Length: > 0 } key)
        {
            ssl.ClientCertificates = [X509Certificate2.CreateFromPemFile(cert, key)];
        }

        if (tls.CaPath is { Length: > 0 } caPath)
        {
            var ca = X509CertificateLoader.LoadCertificateFromFile(caPath);
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            };
        }

        handler.SslOptions = ssl;
        return handler;
    }
}
