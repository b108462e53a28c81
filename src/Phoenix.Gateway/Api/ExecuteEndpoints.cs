using System.Text;
using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Phoenix.Contracts.Executor;
using Phoenix.Gateway.Audit;
using Phoenix.Gateway.Errors;
using Phoenix.Gateway.Forwarding;
using Phoenix.Gateway.Validation;
using Phoenix.Gateway.Vitals;
using Phoenix.Resilience.Errors;

namespace Phoenix.Gateway.Api;

/// <summary>
/// <c>POST /api/v1/execute</c>, <c>/execute/stream</c> (Server-Sent Events) and <c>/execute/validate</c>.
/// Order: content type and size → schema → audit "accepted" → forward → audit "finished" → respond.
/// </summary>
internal static class ExecuteEndpoints
{
    public static async Task<IResult> ExecuteAsync(
        HttpContext context, RunForwarder forwarder, IAuditStore audit, IOptions<GatewayOptions> options, TimeProvider time)
    {
        var (run, problem) = await AcceptAsync(context, audit, options.Value, time);
        if (run is null)
        {
            return problem!;
        }

        var (dto, runId, traceId, accepted) = run;
        var outcome = await forwarder.ExecuteAsync(RunMapping.ToProto(dto, runId), context.RequestAborted);
        await audit.FinishedAsync(RunMapping.Finished(accepted, outcome.Result, outcome.MayHaveRun ? "unknown" : "rejected", outcome.Executor, time.GetUtcNow()), CancellationToken.None);
        return outcome.Result is { } result
            ? TypedResults.Json(RunMapping.ToResponse(result, traceId), GatewayJsonContext.Default.ExecuteResponseDto)
            : GatewayProblems.Problem(context, outcome.Error!);
    }

    public static async Task<IResult> StreamAsync(
        HttpContext context, RunForwarder forwarder, IAuditStore audit, IOptions<GatewayOptions> options, TimeProvider time)
    {
        var (run, problem) = await AcceptAsync(context, audit, options.Value, time);
        if (run is null)
        {
            return problem!;
        }

        var (dto, runId, traceId, accepted) = run;

        // A client disconnect cancels the call, and the executor kills the run.
        var (call, first, endpoint, error) = await forwarder.StreamAsync(RunMapping.ToProto(dto, runId), context.RequestAborted);
        if (call is null)
        {
            await audit.FinishedAsync(RunMapping.Finished(accepted, null, "rejected", endpoint?.Name, time.GetUtcNow()), CancellationToken.None);
            return GatewayProblems.Problem(context, error!);
        }

        using (call)
        using (endpoint!.Enter())
        {
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers["X-Accel-Buffering"] = "no";
            ExecuteResult? result = null;
            try
            {
                var rest = call.ResponseStream.ReadAllAsync(context.RequestAborted);
                await foreach (var item in Prepend(first, rest))
                {
                    if (item.EventCase == ExecuteEvent.EventOneofCase.Output)
                    {
                        var name = item.Output.Stream == OutputStream.Stderr ? "stderr" : "stdout";
                        await WriteEventAsync(context, name, JsonSerializer.Serialize(item.Output.Data.ToStringUtf8(), ArgsJsonContext.Default.String));
                    }
                    else if (item.EventCase == ExecuteEvent.EventOneofCase.Result)
                    {
                        result = item.Result;
                    }
                }
            }
            catch (RpcException ex) when (!context.RequestAborted.IsCancellationRequested)
            {
                var failure = PhoenixProblemDetails.Create(GatewayProblems.FromExecutor(ex), traceId);
                await WriteEventAsync(context, "error", JsonSerializer.Serialize(failure));
            }
            catch (Exception ex) when (ex is OperationCanceledException or RpcException)
            {
                // The client went away: the run was cancelled with the call.
            }

            await audit.FinishedAsync(RunMapping.Finished(accepted, result, result is null ? "killed" : null, endpoint.Name, time.GetUtcNow()), CancellationToken.None);
            if (result is not null && !context.RequestAborted.IsCancellationRequested)
            {
                await WriteEventAsync(context, "result", JsonSerializer.Serialize(RunMapping.ToResponse(result, traceId), GatewayJsonContext.Default.ExecuteResponseDto));
            }
        }

        return Results.Empty;
    }

    public static async Task<IResult> ValidateAsync(HttpContext context, RunForwarder forwarder, IOptions<GatewayOptions> options)
    {
        var (dto, problem) = await ReadAsync(context, options.Value);
        if (dto is null)
        {
            return problem!;
        }

        ValidateResponse response;
        try
        {
            response = await forwarder.ValidateAsync(RunMapping.ToProto(dto, string.Empty), context.RequestAborted);
        }
        catch (RpcException ex)
        {
            return GatewayProblems.Problem(context, GatewayProblems.FromExecutor(ex));
        }

        var errors = response.Violations.GroupBy(v => v.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(v => v.Message).ToArray(), StringComparer.Ordinal);
        return TypedResults.Json(
            new ValidateResponseDto(response.Valid, response.Valid ? response.ResolvedCommand : null, RunMapping.ToDto(response.AppliedLimits), errors, PhoenixProblemDetails.CurrentTraceId()),
            GatewayJsonContext.Default.ValidateResponseDto);
    }

    /// <summary>Reads and checks the request, then records it as accepted (durably) before anything is forwarded.</summary>
    private static async Task<(AcceptedRun? Run, IResult? Problem)> AcceptAsync(HttpContext context, IAuditStore audit, GatewayOptions options, TimeProvider time)
    {
        var (dto, problem) = await ReadAsync(context, options);
        if (dto is null)
        {
            return (null, problem);
        }

        var traceId = PhoenixProblemDetails.CurrentTraceId();
        var runId = Guid.NewGuid().ToString("N");
        var accepted = RunMapping.Accepted(context, dto, runId, traceId, time.GetUtcNow());
        GatewayTracing.Accepted(context, runId);
        await audit.AcceptedAsync(accepted, CancellationToken.None);
        return (new AcceptedRun(dto, runId, traceId, accepted), null);
    }

    private static async Task<(ExecuteRequestDto? Request, IResult? Problem)> ReadAsync(HttpContext context, GatewayOptions options)
    {
        var (body, error) = await RequestBody.ReadJsonAsync(context, options.MaxRequestBodyBytes);
        if (error is not null)
        {
            GatewayTracing.Validation(context, valid: false, fieldErrors: 0);
            return (null, GatewayProblems.Problem(context, error));
        }

        var (request, errors) = ExecuteRequestValidator.Parse(body);
        GatewayTracing.Validation(context, request is not null, errors.Count);
        return request is null ? (null, GatewayProblems.Validation(context, errors)) : (request, null);
    }

    private static async IAsyncEnumerable<ExecuteEvent> Prepend(ExecuteEvent? first, IAsyncEnumerable<ExecuteEvent> rest)
    {
        if (first is not null)
        {
            yield return first;
        }

        await foreach (var item in rest)
        {
            yield return item;
        }
    }

    private static async Task WriteEventAsync(HttpContext context, string name, string data)
    {
        var text = new StringBuilder().Append("event: ").Append(name).Append('\n').Append("data: ").Append(data).Append("\n\n").ToString();
        await context.Response.WriteAsync(text, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private sealed record AcceptedRun(ExecuteRequestDto Request, string RunId, string TraceId, AuditRecord Accepted);
}
