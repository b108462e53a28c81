using Grpc.Core;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;
using Phoenix.Resilience.Errors;

namespace Phoenix.Resilience.Tests.Errors;

public sealed class ErrorClassifierTests
{
    [Fact]
    public void Classify_PhoenixException_ReturnsItsError()
    {
        var error = PhoenixError.Create(ErrorKind.Conflict, "x.conflict", "Conflict.");

        Assert.Same(error, ErrorClassifier.Classify(new PhoenixException(error)));
    }

    [Fact]
    public void Classify_BrokenCircuit_IsUnavailableWithRetryAfter()
    {
        var error = ErrorClassifier.Classify(new BrokenCircuitException("open", TimeSpan.FromSeconds(4)));

        Assert.Equal(ErrorKind.Unavailable, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(4), error.RetryAfter);
    }

    [Fact]
    public void Classify_PollyTimeout_IsTimeout()
    {
        Assert.Equal(ErrorKind.Timeout, ErrorClassifier.Classify(new TimeoutRejectedException()).Kind);
    }

    [Fact]
    public void Classify_BulkheadRejection_IsResourceExhausted()
    {
        Assert.Equal(ErrorKind.ResourceExhausted, ErrorClassifier.Classify(new RateLimiterRejectedException()).Kind);
    }

    [Fact]
    public void Classify_RpcUnavailable_IsUnavailable()
    {
        var error = ErrorClassifier.Classify(new RpcException(new Status(StatusCode.Unavailable, "connect to 10.0.0.7:50061 failed")));

        Assert.Equal(ErrorKind.Unavailable, error.Kind);
        Assert.DoesNotContain("10.0.0.7", error.PublicMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_UnknownException_IsInternalWithGenericMessageAndDetailKept()
    {
        var error = ErrorClassifier.Classify(new InvalidOperationException("secret state at /root/x"));

        Assert.Equal(ErrorKind.Internal, error.Kind);
        Assert.Equal("An internal error occurred.", error.PublicMessage);
        Assert.Contains("secret state", error.InternalDetail, StringComparison.Ordinal);
    }
}
