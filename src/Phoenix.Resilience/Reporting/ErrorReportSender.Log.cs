using Microsoft.Extensions.Logging;

namespace Phoenix.Resilience.Reporting;

internal sealed partial class ErrorReportSender
{
    [LoggerMessage(EventId = 5301, EventName = "ErrorReportSendFailed", Level = LogLevel.Warning,
        Message = "Sending an error report failed ({Reason}); the report was dropped")]
    private static partial void LogSendFailed(ILogger logger, string reason, Exception exception);

    [LoggerMessage(EventId = 5302, EventName = "ErrorReportRejected", Level = LogLevel.Warning,
        Message = "The error reporting endpoint answered HTTP {StatusCode}; the report was dropped")]
    private static partial void LogSendRejected(ILogger logger, int statusCode);
}
