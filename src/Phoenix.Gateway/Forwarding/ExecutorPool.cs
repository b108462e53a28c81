using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using Polly;
using Phoenix.Resilience.Circuits;

namespace Phoenix.Gateway.Forwarding;

/// <summary>
/// The executors, each with a Phoenix circuit breaker (registered in the <see cref="CircuitRegistry"/> as
/// <c>executor:{name}</c>): a static list from configuration, or the addresses a DNS name resolves to (a Kubernetes
/// headless service), refreshed by <see cref="ExecutorDnsDiscovery"/>. <see cref="Pick"/> chooses the available
/// executor with the fewest runs in flight, rotating among ties.
/// </summary>
internal sealed class ExecutorPool : IDisposable
{
    private readonly ForwardingOptions _options;
    private readonly CircuitRegistry _circuits;
    private readonly TimeProvider _time;
    private readonly List<ExecutorEndpoint> _retired = [];
    private readonly Lock _refreshLock = new();
    private ExecutorEndpoint[] _endpoints;
    private int _rotation;

    public ExecutorPool(IOptions<ForwardingOptions> options, CircuitRegistry circuits, TimeProvider time)
    {
        _options = options.Value;
        _circuits = circuits;
        _time = time;
        var initial = _options.Dns is { } dns ? ExecutorDnsDiscovery.Resolve(dns) : _options.ExecutorsOrDefault;
        _endpoints = initial.Select(Create).ToArray();
    }

    public IReadOnlyList<ExecutorEndpoint> Endpoints => Volatile.Read(ref _endpoints);

    /// <summary>
    /// Makes <paramref name="executors"/> the pool: endpoints whose address is still listed are kept (with their circuit
    /// and in-flight runs); new ones are added; gone ones stop receiving runs (their channel is closed with the pool, so
    /// runs in flight on them finish). An empty list is ignored (a DNS hiccup must not empty the pool).
    /// </summary>
    public void Refresh(IReadOnlyList<ExecutorEndpointOptions> executors)
    {
        if (executors.Count == 0)
        {
            return;
        }

        lock (_refreshLock)
        {
            var current = Volatile.Read(ref _endpoints);
            var next = executors.Select(e => current.FirstOrDefault(c => c.Address == new Uri(e.Address)) ?? Create(e)).ToArray();
            _retired.AddRange(current.Except(next));
            Volatile.Write(ref _endpoints, next);
        }
    }

    private ExecutorEndpoint Create(ExecutorEndpointOptions e)
    {
        var value = _options;
        var circuits = _circuits;
        var time = _time;
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
        }
    }

    /// <summary>The available executor with the fewest runs in flight, skipping <paramref name="tried"/>; null when none.</summary>
    public ExecutorEndpoint? Pick(IReadOnlyCollection<ExecutorEndpoint> tried)
    {
        var endpoints = Volatile.Read(ref _endpoints);
        if (endpoints.Length == 0)
        {
            return null;
        }

        var start = (int)((uint)Interlocked.Increment(ref _rotation) % (uint)endpoints.Length);
        ExecutorEndpoint? best = null;
        for (var i = 0; i < endpoints.Length; i++)
        {
            var candidate = endpoints[(start + i) % endpoints.Length];
            if (candidate.Available && !tried.Contains(candidate) && (best is null || candidate.InFlight < best.InFlight))
            {
                best = candidate;
            }
        }

        return best;
    }

    public void Dispose()
    {
        lock (_refreshLock)
        {
            foreach (var endpoint in Volatile.Read(ref _endpoints).Concat(_retired))
            {
                endpoint.Dispose();
            }
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

            // No HTTP client span and no trace headers from the handler: ExecutorCallTracing makes the call's client
            // span and sends its context, and the gRPC health checks stay untraced.
            ActivityHeadersPropagator = null,
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
