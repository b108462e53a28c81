namespace Phoenix.Resilience.Supervision;

/// <summary>The state of one supervised worker.</summary>
public enum SupervisedWorkerState
{
    /// <summary>Not running: not started yet, or stopped because the service is stopping.</summary>
    Stopped,

    /// <summary>Running.</summary>
    Running,

    /// <summary>Crashed and waiting for its backoff delay before the next restart.</summary>
    Backoff,

    /// <summary>Crashed too often within the crash-loop window; it will not be restarted.</summary>
    Failed,

    /// <summary>Returned normally while the service was running; it is not restarted.</summary>
    Completed,
}
