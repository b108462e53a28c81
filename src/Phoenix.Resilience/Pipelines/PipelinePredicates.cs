using System.Net.Sockets;
using Grpc.Core;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Phoenix.Resilience.Errors;

namespace Phoenix.Resilience.Pipelines;

/// <summary>
/// Which failures a configured pipeline retries and which count against its circuit. The defaults
/// treat only failures that say retrying can help as transient. Callers whose operation is not
/// idempotent (running a command) replace <see cref="ShouldRetry"/> with "the work certainly never started".
/// </summary>
public sealed record PipelinePredicates
{
    /// <summary>The defaults: <see cref="IsTransient"/> for retry, every non-cancellation exception for the breaker.</summary>
    public static readonly PipelinePredicates Default = new();

    /// <summary>Whether a failed attempt is retried. Default <see cref="IsTransient"/>.</summary>
    public Func<Exception, bool> ShouldRetry { get; init; } = IsTransient;

    /// <summary>Whether a failure counts against the circuit. Default: anything but cancellation and an open circuit's own rejection.</summary>
    public Func<Exception, bool> ShouldBreak { get; init; } = static ex => ex is not (OperationCanceledException or BrokenCircuitException);

    /// <summary>
    /// Transient: a <see cref="PhoenixException"/> marked retryable, a Polly timeout, an open circuit
    /// (retried after its break time when Retry-After is honored), a refused or reset connection, or a gRPC
    /// <c>UNAVAILABLE</c> / <c>RESOURCE_EXHAUSTED</c>.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        PhoenixException phoenix => phoenix.Error.Retryable,
        TimeoutRejectedException or BrokenCircuitException => true,
        RpcException rpc => rpc.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted,
        HttpRequestException { InnerException: SocketException } => true,
        SocketException socket => socket.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.TryAgain,
        _ => false,
    };
}
