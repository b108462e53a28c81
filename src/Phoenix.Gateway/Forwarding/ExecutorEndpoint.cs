using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Polly;
using Polly.CircuitBreaker;
using Phoenix.Contracts.Executor;
using Phoenix.Resilience.Circuits;

namespace Phoenix.Gateway.Forwarding;

/// <summary>One executor: its channel, its circuit breaker, its in-flight count and last health.</summary>
internal sealed class ExecutorEndpoint(
    string name, Uri address, GrpcChannel channel, ResiliencePipeline breaker, CircuitRegistry circuits, TimeSpan breakDuration, TimeProvider time) : IDisposable
{
    private int _inFlight;
    private volatile bool _healthy = true;

    public string Name { get; } = name;

    public Uri Address { get; } = address;

    public GrpcChannel Channel { get; } = channel;

    /// <summary>The executor's client; each call is traced (<see cref="ExecutorCallTracing"/>).</summary>
    public Executor.ExecutorClient Client { get; } = new(channel.Intercept(new ExecutorCallTracing(name, address)));

    /// <summary>Wraps every call: transport failures open it, an open circuit rejects at once.</summary>
    public ResiliencePipeline Breaker { get; } = breaker;

    public int InFlight => Volatile.Read(ref _inFlight);

    public bool Healthy
    {
        get => _healthy;
        set => _healthy = value;
    }

    public CircuitState Circuit => circuits.Find(CircuitName)?.State ?? CircuitState.Closed;

    public string CircuitName => "executor:" + Name;

    /// <summary>
    /// Whether new runs may be sent here. An open circuit becomes half-open only when a call is attempted through
    /// it, so once its break is over the executor is offered again: the breaker lets one probe run through (and
    /// rejects the others, which then go elsewhere as never started). Otherwise an opened circuit would never be
    /// tried, never close, and the executor would stay out of the pool for good.
    /// </summary>
    public bool Available => _healthy && circuits.Find(CircuitName) switch
    {
        null or { State: CircuitState.Closed or CircuitState.HalfOpen } => true,
        { State: CircuitState.Open } open => time.GetUtcNow() - open.LastTransition >= breakDuration,
        _ => false,
    };

    public Lease Enter() => new(this);

    public void Dispose() => Channel.Dispose();

    /// <summary>Counts one call in flight until disposed.</summary>
    public readonly struct Lease : IDisposable
    {
        private readonly ExecutorEndpoint _owner;

        public Lease(ExecutorEndpoint owner)
        {
            _owner = owner;
            Interlocked.Increment(ref owner._inFlight);
        }

        public void Dispose() => Interlocked.Decrement(ref _owner._inFlight);
    }
}
