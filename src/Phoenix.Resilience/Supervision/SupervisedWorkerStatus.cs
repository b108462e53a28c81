namespace Phoenix.Resilience.Supervision;

/// <summary>A snapshot of one supervised worker, as reported in health.</summary>
public sealed record SupervisedWorkerStatus
{
    /// <summary>The worker's name.</summary>
    public required string Name { get; init; }

    /// <summary>Its state.</summary>
    public required SupervisedWorkerState State { get; init; }

    /// <summary>How many times it was restarted after a crash.</summary>
    public required int RestartCount { get; init; }

    /// <summary>The type and sanitized message of its last crash, or <see langword="null"/> if it never crashed.</summary>
    public string? LastError { get; init; }

    /// <summary>When it last crashed, or <see langword="null"/>.</summary>
    public DateTimeOffset? LastErrorAt { get; init; }
}
