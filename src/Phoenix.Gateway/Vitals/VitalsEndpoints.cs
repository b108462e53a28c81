using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Phoenix.Gateway.Auth;

namespace Phoenix.Gateway.Vitals;

/// <summary>
/// <c>GET /api/v1/sse/vitals</c> (permission <c>vitals</c>): Server-Sent Events, one <c>event: vitals</c> at once and
/// then every <see cref="VitalsOptions.Interval"/> of the injected <see cref="TimeProvider"/>, data = one line of
/// <see cref="VitalsDto"/> JSON. Ends when the client disconnects or the host stops.
/// </summary>
internal static partial class VitalsEndpoints
{
    /// <summary>The route, relative to the API group.</summary>
    public const string Pattern = "/sse/vitals";

    /// <summary>The SSE event name.</summary>
    public const string EventName = "vitals";

    private const string LogCategory = "Phoenix.Gateway.Vitals";

    /// <summary>Maps the stream on <paramref name="api"/> (the <c>/api/v1</c> group), requiring the <c>vitals</c> permission.</summary>
    public static RouteHandlerBuilder MapVitals(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        return api.MapGet(Pattern, StreamAsync)
            .RequireAuthorization(Permissions.Vitals)
            .WithMetadata(ExcludeFromRequestStatsMetadata.Instance)
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
    }

    internal static async Task StreamAsync(
        HttpContext context, VitalsSampler sampler, IOptions<VitalsOptions> options, TimeProvider time, IHostApplicationLifetime lifetime, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(LogCategory);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = stop.Token;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        // Made before the first event, so a tick during that write is not lost.
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        LogStreamOpened(logger, options.Value.Interval);
        var sent = 0;
        try
        {
            do
            {
                if (!await WriteEventAsync(response, sampler.Sample(), cancellationToken))
                {
                    break;
                }

                sent++;
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away, or the host is stopping.
        }
        catch (IOException)
        {
            // The connection broke under a write: the client is gone.
        }

        LogStreamClosed(logger, sent);
    }

    /// <summary>Writes one event and flushes it; false when the client no longer reads.</summary>
    private static async ValueTask<bool> WriteEventAsync(HttpResponse response, VitalsDto vitals, CancellationToken cancellationToken)
    {
        var writer = response.BodyWriter;
        writer.Write("event: vitals\ndata: "u8);
        using (var json = new Utf8JsonWriter(writer))
        {
            JsonSerializer.Serialize(json, vitals, VitalsJsonContext.Default.VitalsDto);
        }

        writer.Write("\n\n"u8);
        var flushed = await writer.FlushAsync(cancellationToken);
        return !flushed.IsCompleted && !flushed.IsCanceled;
    }

    [LoggerMessage(EventId = 4501, EventName = "VitalsStreamOpened", Level = LogLevel.Debug, Message = "Vitals stream opened, one event every {Interval}")]
    private static partial void LogStreamOpened(ILogger logger, TimeSpan interval);

    [LoggerMessage(EventId = 4502, EventName = "VitalsStreamClosed", Level = LogLevel.Debug, Message = "Vitals stream closed after {Events} events")]
    private static partial void LogStreamClosed(ILogger logger, int events);
}
