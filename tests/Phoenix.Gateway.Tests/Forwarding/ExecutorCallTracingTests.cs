using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Phoenix.Contracts.Executor;
using Phoenix.Gateway.Forwarding;

namespace Phoenix.Gateway.Tests.Forwarding;

/// <summary>The client span of a call to an executor, and the trace context it sends.</summary>
public sealed class ExecutorCallTracingTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public ExecutorCallTracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Phoenix.Gateway",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Theory]
    [InlineData(StatusCode.OK, "OK")]
    [InlineData(StatusCode.Cancelled, "CANCELLED")]
    [InlineData(StatusCode.DeadlineExceeded, "DEADLINE_EXCEEDED")]
    [InlineData(StatusCode.ResourceExhausted, "RESOURCE_EXHAUSTED")]
    [InlineData(StatusCode.Unavailable, "UNAVAILABLE")]
    public void StatusName_Code_NamedAsInTheRpcConventions(StatusCode code, string expected) =>
        Assert.Equal(expected, ExecutorCallTracing.StatusName(code));

    [Fact]
    public async Task Execute_InsideARequestSpan_ClientSpanIsItsChildAndItsContextIsSent()
    {
        var invoker = new RecordingInvoker();
        var client = Client(invoker);
        using var request = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();

        await client.ExecuteAsync(new ExecuteRequest());

        Assert.Same(request, Activity.Current);
        var span = Assert.Single(_stopped, a => a.TraceId == request.TraceId);
        Assert.Equal("phoenix.executor.v1.Executor/Execute", span.OperationName);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal(request.SpanId, span.ParentSpanId);
        Assert.Equal("grpc", span.GetTagItem("rpc.system.name"));
        Assert.Equal("phoenix.executor.v1.Executor/Execute", span.GetTagItem("rpc.method"));
        Assert.Equal("OK", span.GetTagItem("rpc.response.status_code"));
        Assert.Equal("executor-7", span.GetTagItem("phoenix.executor.name"));
        Assert.Equal("10.0.0.7", span.GetTagItem("server.address"));
        Assert.Equal(5001, span.GetTagItem("server.port"));
        Assert.Equal(span.Id, Assert.Single(invoker.Headers!, h => h.Key == "traceparent").Value);
    }

    [Fact]
    public async Task Execute_ExecutorAnswersError_ClientSpanFailedWithItsStatus()
    {
        var invoker = new RecordingInvoker { Failure = new RpcException(new Status(StatusCode.ResourceExhausted, "queue full")) };
        using var request = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();

        await Assert.ThrowsAsync<RpcException>(async () => await Client(invoker).ExecuteAsync(new ExecuteRequest()));

        var span = Assert.Single(_stopped, a => a.TraceId == request.TraceId);
        Assert.Equal("RESOURCE_EXHAUSTED", span.GetTagItem("rpc.response.status_code"));
        Assert.Equal("RESOURCE_EXHAUSTED", span.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
    }

    [Fact]
    public async Task ExecuteStream_ReadToTheEnd_ClientSpanLastsUntilTheStreamEndsAndIsNotCurrentMeanwhile()
    {
        var invoker = new RecordingInvoker();
        using var request = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();

        using var call = Client(invoker).ExecuteStream(new ExecuteRequest());

        Assert.Same(request, Activity.Current);
        Assert.DoesNotContain(_stopped, a => a.TraceId == request.TraceId);
        Assert.Contains(invoker.Headers!, h => h.Key == "traceparent");
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.DoesNotContain(_stopped, a => a.TraceId == request.TraceId);
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        var span = Assert.Single(_stopped, a => a.TraceId == request.TraceId);
        Assert.Equal("phoenix.executor.v1.Executor/ExecuteStream", span.OperationName);
        Assert.Equal("OK", span.GetTagItem("rpc.response.status_code"));
    }

    [Fact]
    public void ExecuteStream_DisposedBeforeTheEnd_ClientSpanEndsCancelled()
    {
        using var request = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();

        Client(new RecordingInvoker()).ExecuteStream(new ExecuteRequest()).Dispose();

        var span = Assert.Single(_stopped, a => a.TraceId == request.TraceId);
        Assert.Equal("CANCELLED", span.GetTagItem("rpc.response.status_code"));
    }

    private static Contracts.Executor.Executor.ExecutorClient Client(CallInvoker invoker) =>
        new(invoker.Intercept(new ExecutorCallTracing("executor-7", new Uri("http://10.0.0.7:5001"))));

    /// <summary>Answers every call at once (a unary result, or a stream of one event) and keeps the headers it was sent.</summary>
    private sealed class RecordingInvoker : CallInvoker
    {
        public Metadata? Headers { get; private set; }

        public RpcException? Failure { get; init; }

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        {
            Headers = options.Headers;
            var response = Failure is null ? Task.FromResult((TResponse)(object)new ExecuteResult()) : Task.FromException<TResponse>(Failure);
            return new AsyncUnaryCall<TResponse>(response, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => new Metadata(), () => { });
        }

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        {
            Headers = options.Headers;
            return new AsyncServerStreamingCall<TResponse>(
                new OneEvent<TResponse>((TResponse)(object)new ExecuteEvent { Result = new ExecuteResult() }), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => new Metadata(), () => { });
        }

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw new NotSupportedException();

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            throw new NotSupportedException();

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            throw new NotSupportedException();
    }

    private sealed class OneEvent<T>(T item) : IAsyncStreamReader<T>
    {
        private bool _read;

        public T Current => item;

        public Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            var more = !_read;
            _read = true;
            return Task.FromResult(more);
        }
    }
}
