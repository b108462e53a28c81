namespace Phoenix.Executor.Runs;

/// <summary>Why a valid run was not started.</summary>
internal enum RunRefusal
{
    /// <summary>The queue is full or the wait for a slot timed out.</summary>
    QueueFull,

    /// <summary>The service is shutting down.</summary>
    ShuttingDown,
}
