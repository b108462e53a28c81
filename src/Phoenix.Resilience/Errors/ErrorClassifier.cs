using Grpc.Core;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace Phoenix.Resilience.Errors;

/// <summary>
/// Turns any exception into a <see cref="PhoenixError"/>. Known resilience outcomes (open circuit,
/// timeout, bulkhead full) keep their meaning; anything unknown becomes <see cref="ErrorKind.Internal"/>
/// with a generic public message and the exception text kept as internal detail only.
/// </summary>
public static class ErrorClassifier
{
    /// <summary>Classifies <paramref name="exception"/>. Never throws.</summary>
    public static PhoenixError Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            PhoenixException phoenix => phoenix.Error,
            BrokenCircuitException broken => PhoenixError.Create(ErrorKind.Unavailable, "dependency.circuit_open", "A dependency is unavailable; try again later.", broken.Message)
                with { RetryAfter = broken.RetryAfter },
            TimeoutRejectedException timeout => PhoenixError.Create(ErrorKind.Timeout, "dependency.timeout", "A dependency did not answer in time.", timeout.Message),
            RateLimiterRejectedException rejected => PhoenixError.Create(ErrorKind.ResourceExhausted, "capacity.exhausted", "No capacity is available; try again later.", rejected.Message)
                with { RetryAfter = rejected.RetryAfter },
            RpcException rpc => FromRpc(rpc),
            OperationCanceledException => PhoenixError.Create(ErrorKind.Unavailable, "request.cancelled", "The operation was cancelled.", exception.Message),
            _ => PhoenixError.Create(ErrorKind.Internal, "internal.unexpected", "An internal error occurred.", exception.ToString()),
        };
    }

    private static PhoenixError FromRpc(RpcException rpc)
    {
        var kind = ErrorKinds.FromGrpcStatus(rpc.StatusCode);
        var message = kind == ErrorKind.Internal ? "A dependency failed." : ErrorKinds.Describe(kind).Title;
        return PhoenixError.Create(kind, "dependency." + rpc.StatusCode.ToString().ToLowerInvariant(), message, rpc.Status.Detail);
    }
}
