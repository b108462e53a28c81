using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Phoenix.Operations.Tests.Tracing.Otlp;

namespace Phoenix.Operations.Tests.Tracing;

/// <summary>
/// A minimal OTLP/HTTP receiver (protobuf bodies) on a free loopback port: keeps every export it is sent
/// (<c>/v1/traces</c>, <c>/v1/logs</c>, <c>/v1/metrics</c>) as raw bytes, and decodes traces and logs.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Signal, byte[] Body)> _exports = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>The base address to give <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Every body received so far, with its signal (<c>traces</c>, <c>logs</c>, <c>metrics</c>).</summary>
    public IReadOnlyList<(string Signal, byte[] Body)> Exports => _exports.ToArray();

    /// <summary>Starts the receiver on 127.0.0.1 with an ephemeral port.</summary>
    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            receiver._exports.Enqueue((signal, body.ToArray()));

            // An empty Export*ServiceResponse: full success.
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        var address = app.Urls.Single();
        receiver.Endpoint = new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
        return receiver;
    }

    /// <summary>Every span received so far, flattened, with the service that sent it.</summary>
    public IReadOnlyList<ReceivedSpan> Spans() =>
        Exports.Where(e => e.Signal == "traces")
            .SelectMany(e => ExportTraceServiceRequest.Parser.ParseFrom(e.Body).ResourceSpans)
            .SelectMany(rs => rs.ScopeSpans.SelectMany(ss => ss.Spans.Select(s => new ReceivedSpan(ServiceName(rs.Resource), ss.Scope?.Name ?? string.Empty, s))))
            .ToList();

    /// <summary>Every log record received so far, with the service that sent it.</summary>
    public IReadOnlyList<(string Service, LogRecord Record)> Logs() =>
        Exports.Where(e => e.Signal == "logs")
            .SelectMany(e => ExportLogsServiceRequest.Parser.ParseFrom(e.Body).ResourceLogs)
            .SelectMany(rl => rl.ScopeLogs.SelectMany(sl => sl.LogRecords.Select(r => (ServiceName(rl.Resource), r))))
            .ToList();

    /// <summary>Polls until <paramref name="condition"/> holds on the spans received, or fails after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<ReceivedSpan>> WaitForSpansAsync(Func<IReadOnlyList<ReceivedSpan>, bool> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var spans = Spans();
            if (condition(spans))
            {
                return spans;
            }

            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"No {what} within {timeout}. Spans received:\n{string.Join('\n', spans)}");
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string ServiceName(Resource? resource) =>
        resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value?.StringValue ?? string.Empty;
}
