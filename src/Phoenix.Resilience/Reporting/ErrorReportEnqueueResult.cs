namespace Phoenix.Resilience.Reporting;

/// <summary>What became of a report offered to the <see cref="ErrorReportQueue"/>.</summary>
internal enum ErrorReportEnqueueResult
{
    /// <summary>Queued for sending.</summary>
    Accepted,

    /// <summary>Dropped: the reporting rate limit was reached.</summary>
    RateLimited,

    /// <summary>Dropped: the queue is full.</summary>
    QueueFull,

    /// <summary>Dropped: the queue no longer accepts reports (shutting down or disposed).</summary>
    Closed,
}
