using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Phoenix.Gateway.Vitals;

namespace Phoenix.Gateway.Forwarding;

/// <summary>
/// The client span of every call the gateway makes to an executor, following the OpenTelemetry RPC conventions: named
/// <c>{package.Service}/{Method}</c> (<c>phoenix.executor.v1.Executor/Execute</c>), kind Client, tagged
/// <c>rpc.system.name</c> = <c>grpc</c>, <c>rpc.method</c>, <c>rpc.response.status_code</c> (<c>OK</c>,
/// <c>DEADLINE_EXCEEDED</c>…), <c>error.type</c> when not OK, <c>server.address</c>, <c>server.port</c> and
/// <c>phoenix.executor.name</c>. Its W3C trace context goes to the executor in the call's metadata
/// (<c>traceparent</c>, <c>tracestate</c>), so the executor's spans join the request's trace. The span lasts as long
/// as the call: for a streaming call, until the stream ends or the call is disposed.
/// </summary>
/// <remarks>
/// The channels' HTTP handler neither starts an HTTP client span nor writes trace headers (see
/// <see cref="ExecutorPool"/>): this span alone stands for the call, and the executor's server span is its child.
/// Calls on the bare channel (the gRPC health checks) are not traced.
/// </remarks>
internal sealed class ExecutorCallTracing(string executorName, Uri address) : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var previous = Activity.Current;
        var activity = Start(context.Method);
        AsyncUnaryCall<TResponse> call;
        try
        {
            call = continuation(request, WithTraceContext(context, activity ?? previous));
        }
        catch (Exception ex)
        {
            Stop(activity, ex);
            throw;
        }
        finally
        {
            Activity.Current = previous;
        }

        return activity is null
            ? call
            : new AsyncUnaryCall<TResponse>(ObserveAsync(call.ResponseAsync, activity), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var previous = Activity.Current;
        var activity = Start(context.Method);
        AsyncServerStreamingCall<TResponse> call;
        try
        {
            call = continuation(request, WithTraceContext(context, activity ?? previous));
        }
        catch (Exception ex)
        {
            Stop(activity, ex);
            throw;
        }
        finally
        {
            // The call goes on after this returns: the span must not stay current in the caller's flow.
            Activity.Current = previous;
        }

        if (activity is null)
        {
            return call;
        }

        var span = new StreamSpan(activity);
        return new AsyncServerStreamingCall<TResponse>(
            new TracedStreamReader<TResponse>(call.ResponseStream, span),
            call.ResponseHeadersAsync,
            call.GetStatus,
            call.GetTrailers,
            () =>
            {
                call.Dispose();
                span.End(StatusCode.Cancelled);
            });
    }

    /// <summary>The name of a status code in the RPC conventions: <c>OK</c>, <c>DEADLINE_EXCEEDED</c>, ….</summary>
    internal static string StatusName(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        _ => string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : char.ToUpperInvariant(c).ToString())),
    };

    private static void Stop(Activity? activity, Exception exception) =>
        Stop(activity, exception is RpcException rpc ? rpc.StatusCode : StatusCode.Unknown);

    private static void Stop(Activity? activity, StatusCode code)
    {
        if (activity is null)
        {
            return;
        }

        var name = StatusName(code);
        activity.SetTag("rpc.response.status_code", name);
        if (code != StatusCode.OK)
        {
            activity.SetTag("error.type", name);
            activity.SetStatus(ActivityStatusCode.Error);
        }

        activity.Stop();
    }

    private static async Task<TResponse> ObserveAsync<TResponse>(Task<TResponse> response, Activity activity)
    {
        try
        {
            var result = await response.ConfigureAwait(false);
            Stop(activity, StatusCode.OK);
            return result;
        }
        catch (Exception ex)
        {
            Stop(activity, ex);
            throw;
        }
    }

    private static ClientInterceptorContext<TRequest, TResponse> WithTraceContext<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, Activity? activity)
        where TRequest : class
        where TResponse : class
    {
        if (activity is null)
        {
            return context;
        }

        var headers = new Metadata();
        if (context.Options.Headers is { } existing)
        {
            foreach (var entry in existing)
            {
                headers.Add(entry);
            }
        }

        DistributedContextPropagator.Current.Inject(activity, headers, static (carrier, key, value) => ((Metadata)carrier!).Add(key, value));
        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers));
    }

    private Activity? Start(IMethod method)
    {
        var name = method.FullName.TrimStart('/');
        var activity = GatewayTelemetry.ActivitySource.StartActivity(name, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("rpc.system.name", "grpc");
            activity.SetTag("rpc.method", name);
            activity.SetTag("server.address", address.Host);
            activity.SetTag("server.port", address.Port);
            activity.SetTag(GatewayTelemetry.ExecutorTag, executorName);
        }

        return activity;
    }

    /// <summary>Ends the span of a streaming call once: at the end of the stream, on its failure, or when the call is disposed.</summary>
    private sealed class StreamSpan(Activity activity)
    {
        private int _ended;

        public void End(StatusCode code)
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                Stop(activity, code);
            }
        }
    }

    private sealed class TracedStreamReader<T>(IAsyncStreamReader<T> inner, StreamSpan span) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            try
            {
                var more = await inner.MoveNext(cancellationToken).ConfigureAwait(false);
                if (!more)
                {
                    span.End(StatusCode.OK);
                }

                return more;
            }
            catch (RpcException ex)
            {
                span.End(ex.StatusCode);
                throw;
            }
            catch (OperationCanceledException)
            {
                span.End(StatusCode.Cancelled);
                throw;
            }
        }
    }
}
