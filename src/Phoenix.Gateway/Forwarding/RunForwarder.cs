using Grpc.Core;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Phoenix.Contracts.Executor;
using Phoenix.Gateway.Errors;

namespace Phoenix.Gateway.Forwarding;

/// <summary>
/// Sends a run to an executor. A run is not idempotent: it goes to another executor only when it certainly
/// never started (circuit open, connection not made, the executor's own refusal); any other failure is
/// answered as is. The gRPC deadline is the run's timeout plus <see cref="ForwardingOptions.DeadlineMargin"/>.
/// </summary>
internal sealed class RunForwarder(ExecutorPool pool, IOptions<ForwardingOptions> options, TimeProvider time)
{
    public async Task<ForwardResult> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken)
    {
        var deadline = Deadline(request);
        var tried = new List<ExecutorEndpoint>();
        Phoenix.Resilience.Errors.PhoenixError? last = null;
        while (pool.Pick(tried) is { } endpoint)
        {
            tried.Add(endpoint);
            using var lease = endpoint.Enter();
            try
            {
                var result = await endpoint.Breaker.ExecuteAsync(
                    async ct => await endpoint.Client.ExecuteAsync(request, deadline: deadline, cancellationToken: ct),
                    cancellationToken);
                return new ForwardResult(result, null, endpoint.Name, MayHaveRun: true);
            }
            catch (BrokenCircuitException)
            {
                last = GatewayProblems.NoExecutor();
            }
            catch (RpcException ex) when (ForwardingFailure.NeverStarted(ex))
            {
                last = GatewayProblems.FromExecutor(ex);
            }
            catch (RpcException ex)
            {
                // Refused by policy or validation: nothing ran. Anything else: the run may have started.
                var mayHaveRun = ex.Trailers.Get("phoenix-violations-bin") is null;
                return new ForwardResult(null, GatewayProblems.FromExecutor(ex), endpoint.Name, mayHaveRun);
            }
        }

        return new ForwardResult(null, last ?? GatewayProblems.NoExecutor(), null, MayHaveRun: false);
    }

    /// <summary>
    /// Opens a streaming call on an executor and reads its first event, moving on only while the run certainly has not
    /// started. Reading the first event first means a refusal (policy, queue full) becomes a proper HTTP status before
    /// any byte of the event stream is sent; the price is that the answer starts with the command's first output.
    /// </summary>
    public async Task<(AsyncServerStreamingCall<ExecuteEvent>? Call, ExecuteEvent? First, ExecutorEndpoint? Endpoint, Phoenix.Resilience.Errors.PhoenixError? Error)> StreamAsync(
        ExecuteRequest request, CancellationToken cancellationToken)
    {
        var deadline = Deadline(request);
        var tried = new List<ExecutorEndpoint>();
        Phoenix.Resilience.Errors.PhoenixError? last = null;
        while (pool.Pick(tried) is { } endpoint)
        {
            tried.Add(endpoint);
            try
            {
                // Opening the stream (up to its first event) goes through the executor's circuit breaker like a unary call.
                var (call, first) = await endpoint.Breaker.ExecuteAsync(
                    async ct =>
                    {
                        var opened = endpoint.Client.ExecuteStream(request, deadline: deadline, cancellationToken: ct);
                        try
                        {
                            return (opened, await opened.ResponseStream.MoveNext(ct) ? opened.ResponseStream.Current : null);
                        }
                        catch
                        {
                            opened.Dispose();
                            throw;
                        }
                    },
                    cancellationToken);
                return (call, first, endpoint, null);
            }
            catch (BrokenCircuitException)
            {
                last = GatewayProblems.NoExecutor();
            }
            catch (RpcException ex) when (ForwardingFailure.NeverStarted(ex))
            {
                last = GatewayProblems.FromExecutor(ex);
            }
            catch (RpcException ex)
            {
                return (null, null, endpoint, GatewayProblems.FromExecutor(ex));
            }
        }

        return (null, null, null, last ?? GatewayProblems.NoExecutor());
    }

    public async Task<ValidateResponse> ValidateAsync(ExecuteRequest request, CancellationToken cancellationToken)
    {
        var tried = new List<ExecutorEndpoint>();
        RpcException? last = null;
        while (pool.Pick(tried) is { } endpoint)
        {
            tried.Add(endpoint);
            try
            {
                return await endpoint.Client.ValidateAsync(request, deadline: time.GetUtcNow().UtcDateTime.AddSeconds(10), cancellationToken: cancellationToken);
            }
            catch (RpcException ex)
            {
                // Validation runs nothing: any executor may answer it.
                last = ex;
            }
        }

        throw last ?? new RpcException(new Status(StatusCode.Unavailable, "no executor"));
    }

    private DateTime Deadline(ExecuteRequest request)
    {
        var timeout = request.Limits is { HasTimeoutMs: true } limits ? TimeSpan.FromMilliseconds(limits.TimeoutMs) : options.Value.DefaultRunTimeout;
        return time.GetUtcNow().UtcDateTime + timeout + options.Value.DeadlineMargin;
    }
}
