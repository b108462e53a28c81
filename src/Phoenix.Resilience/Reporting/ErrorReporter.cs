using System.Diagnostics;
using Microsoft.Extensions.Options;
using Phoenix.Resilience.Correlation;
using Phoenix.Resilience.Errors;

namespace Phoenix.Resilience.Reporting;

/// <summary>
/// The <see cref="IErrorReporter"/>: counts every error on <c>phoenix.errors</c> and, when an endpoint is configured,
/// offers a report of it to the <see cref="ErrorReportQueue"/>, counting reports the queue refuses on
/// <c>phoenix.error_reports.dropped</c>. Sanitizing and sending happen later, in <see cref="ErrorReportSender"/>.
/// </summary>
internal sealed class ErrorReporter : IErrorReporter
{
    private readonly ErrorReportQueue _queue;
    private readonly ErrorReportingMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly bool _sending;

    /// <summary>Creates the reporter.</summary>
    public ErrorReporter(IOptions<ErrorReportingOptions> options, ErrorReportQueue queue, ErrorReportingMetrics metrics, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _queue = queue ?? throw new ArgumentNullException(nameof(queue));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _sending = options.Value.Endpoint is not null;
    }

    /// <inheritdoc />
    public void Report(PhoenixError error, ErrorContext? context = null)
    {
        try
        {
            if (error is null)
            {
                return;
            }

            context ??= ErrorContext.Current;
            var component = context?.Component ?? error.Attributes.GetValueOrDefault("component");
            _metrics.RecordError(error.Kind, error.Severity, component);
            if (!_sending)
            {
                return;
            }

            var traceId = context?.TraceId ?? CurrentTraceId();
            var pending = new PendingErrorReport(error, component, context?.Operation, traceId, _timeProvider.GetUtcNow());
            switch (_queue.TryEnqueue(pending))
            {
                case ErrorReportEnqueueResult.RateLimited:
                    _metrics.RecordDropped(ErrorReportingMetrics.RateLimited);
                    break;
                case ErrorReportEnqueueResult.QueueFull:
                    _metrics.RecordDropped(ErrorReportingMetrics.QueueFull);
                    break;
                default:
                    // Accepted, or Closed: a reporter that is shutting down drops quietly.
                    break;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Reporting an error must never become the caller's error (e.g. a report racing disposal).
        }
    }

    private static string? CurrentTraceId() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.TraceId.ToHexString() : null;
}
