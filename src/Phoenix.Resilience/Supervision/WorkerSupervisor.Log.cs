using Microsoft.Extensions.Logging;

namespace Phoenix.Resilience.Supervision;

internal sealed partial class WorkerSupervisor
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Supervisor started {Count} worker(s)")]
    private static partial void LogStarted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown timeout reached before these workers stopped: {Workers}")]
    private static partial void LogStopTimedOut(ILogger logger, string workers);
}
