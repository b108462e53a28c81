namespace Phoenix.Gateway.Audit;

internal sealed partial class PostgresAuditStore
{
    [LoggerMessage(EventId = 4401, EventName = "PostgresAuditReady", Level = LogLevel.Information,
        Message = "The PostgreSQL audit store is ready on {Target}")]
    private static partial void LogReady(ILogger logger, string target);

    [LoggerMessage(EventId = 4402, EventName = "PostgresAuditSynchronousCommitOff", Level = LogLevel.Warning,
        Message = "synchronous_commit is off on {Target}: the audit store turns it on for its own writes")]
    private static partial void LogSynchronousCommitOff(ILogger logger, string target);

    [LoggerMessage(EventId = 4403, EventName = "PostgresAuditFsyncOff", Level = LogLevel.Warning,
        Message = "fsync is off on {Target}: acknowledged audit records can be lost in a crash of the database server")]
    private static partial void LogFsyncOff(ILogger logger, string target);

    [LoggerMessage(EventId = 4404, EventName = "PostgresAuditUnreachable", Level = LogLevel.Warning,
        Message = "The PostgreSQL audit store on {Target} does not answer ({Reason})")]
    private static partial void LogUnreachable(ILogger logger, string target, string reason);
}
