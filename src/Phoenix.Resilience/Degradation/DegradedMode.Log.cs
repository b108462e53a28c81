using Microsoft.Extensions.Logging;

namespace Phoenix.Resilience.Degradation;

internal sealed partial class DegradedMode
{
    /// <summary>Security event: degraded mode entered (Warning), left (Information) or its reason changed.</summary>
    [LoggerMessage(EventId = 5011, EventName = "DegradedModeChanged",
        Message = "Degraded mode {Mode} ({Source}): {Reason}")]
    private static partial void LogChanged(ILogger logger, LogLevel level, string mode, string source, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Degradation signal {Signal} failed; it counts as degraded")]
    private static partial void LogSignalFailed(ILogger logger, string signal, Exception exception);
}
