using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Phoenix.Resilience.Sanitization;

namespace Phoenix.Resilience.Reporting;

/// <summary>
/// Takes reports from the <see cref="ErrorReportQueue"/> one at a time, sanitizes every field, and POSTs them as JSON to
/// <see cref="ErrorReportingOptions.Endpoint"/> with the named <see cref="HttpClient"/> <see cref="HttpClientName"/>.
/// A send that fails, times out (<see cref="ErrorReportingOptions.SendTimeout"/>, measured by the injected
/// <see cref="TimeProvider"/>) or gets a non-success status is counted as <c>send_failed</c> and logged, never thrown.
/// On stop the queue is closed and what is already queued is sent until the host's shutdown timeout ends.
/// </summary>
internal sealed partial class ErrorReportSender : BackgroundService
{
    /// <summary>Name of the <see cref="HttpClient"/> used to send reports.</summary>
    public const string HttpClientName = "Phoenix.ErrorReporting";

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json") { CharSet = "utf-8" };

    private readonly ErrorReportQueue _queue;
    private readonly ErrorReportingMetrics _metrics;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly ErrorReportingOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Creates the sender.</summary>
    public ErrorReportSender(
        ErrorReportQueue queue,
        ErrorReportingMetrics metrics,
        IHttpClientFactory httpClientFactory,
        IOptions<ErrorReportingOptions> options,
        TimeProvider timeProvider,
        ILogger<ErrorReportSender>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _queue = queue ?? throw new ArgumentNullException(nameof(queue));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _httpClientFactory = httpClientFactory ?? throw new ArgumentNullException(nameof(httpClientFactory));
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _options = options.Value;
        _logger = logger ?? NullLogger<ErrorReportSender>.Instance;
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Close the queue so the loop ends once it has sent what is queued; the host's token bounds the wait,
        // then the base class cancels whatever send is still running.
        _queue.Complete();
        if (ExecuteTask is { } running)
        {
            await running.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Builds the JSON body of <paramref name="pending"/>: every text sanitized and cut to the maximum length.</summary>
    internal static ErrorReport ToReport(PendingErrorReport pending, ErrorReportingOptions options)
    {
        var error = pending.Error;
        var max = options.MaxFieldLength;
        return new ErrorReport(
            Code: Clean(error.Code, max) ?? string.Empty,
            Kind: ErrorReportingMetrics.KindName(error.Kind),
            Severity: ErrorReportingMetrics.SeverityName(error.Severity),
            Message: Clean(error.PublicMessage, max) ?? string.Empty,
            Detail: options.IncludeInternalDetail ? Clean(error.InternalDetail, max) : null,
            Component: Clean(pending.Component, max),
            Operation: Clean(pending.Operation, max),
            TraceId: IsTraceId(pending.TraceId) ? pending.TraceId : null,
            Timestamp: pending.Timestamp);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Endpoint is not { } endpoint)
        {
            return;
        }

        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                while (_queue.Reader.TryRead(out var pending))
                {
                    await SendAsync(endpoint, pending, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: reports still queued are abandoned.
        }
    }

    private async Task SendAsync(Uri endpoint, PendingErrorReport pending, CancellationToken stoppingToken)
    {
        using var timeout = new CancellationTokenSource(_options.SendTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        try
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(ToReport(pending, _options), ErrorReportJsonContext.Default.ErrorReport);
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = JsonMediaType;
            using var client = _httpClientFactory.CreateClient(HttpClientName);
            using var response = await client.PostAsync(endpoint, content, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                _metrics.RecordDropped(ErrorReportingMetrics.SendFailed);
                LogSendRejected(_logger, (int)response.StatusCode);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _metrics.RecordDropped(ErrorReportingMetrics.SendFailed);
            LogSendFailed(_logger, timeout.IsCancellationRequested ? "timed out" : ex.GetType().Name, ex);
        }
    }

    private static string? Clean(string? text, int maxLength)
    {
        if (text is null)
        {
            return null;
        }

        var sanitized = MessageSanitizer.Sanitize(text);
        if (sanitized.Length <= maxLength)
        {
            return sanitized;
        }

        var cut = maxLength - 1;
        if (char.IsHighSurrogate(sanitized[cut - 1]))
        {
            cut--;
        }

        return string.Concat(sanitized.AsSpan(0, cut), "…");
    }

    private static bool IsTraceId(string? traceId) =>
        traceId is { Length: 32 } && !traceId.AsSpan().ContainsAnyExcept("0123456789abcdef");
}
