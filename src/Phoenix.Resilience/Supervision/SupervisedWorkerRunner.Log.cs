using Microsoft.Extensions.Logging;

namespace Phoenix.Resilience.Supervision;

internal sealed partial class SupervisedWorkerRunner
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {Worker} crashed; restarting in {Delay}")]
    private static partial void LogCrashed(ILogger logger, string worker, TimeSpan delay, Exception? exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {Worker} crashed after running {RanFor}; restarting now")]
    private static partial void LogCrashedRestartingNow(ILogger logger, string worker, TimeSpan ranFor, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {Worker} restarted (restart {RestartCount})")]
    private static partial void LogRestarted(ILogger logger, string worker, int restartCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {Worker} completed; it will not be restarted")]
    private static partial void LogCompleted(ILogger logger, string worker);

    /// <summary>Security event: a crash loop was detected and the worker will not be restarted.</summary>
    [LoggerMessage(EventId = 5012, EventName = "CrashLoopDetected", Level = LogLevel.Error,
        Message = "Worker {Worker} crashed {Crashes} times within {Window}; it will not be restarted. Last error: {LastError}")]
    private static partial void LogCrashLoop(ILogger logger, string worker, int crashes, TimeSpan window, string lastError);
}
