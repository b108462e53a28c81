namespace Phoenix.Executor.Sandbox;

/// <summary>The result of one sandboxed run.</summary>
internal sealed record SandboxResult
{
    public required RunOutcome Outcome { get; init; }

    public int? ExitCode { get; init; }

    public int? Signal { get; init; }

    public string Stdout { get; init; } = string.Empty;

    public string Stderr { get; init; } = string.Empty;

    public bool StdoutTruncated { get; init; }

    public bool StderrTruncated { get; init; }

    public RunUsage Usage { get; init; }

    /// <summary>Which limit was breached, if any (<c>timeout</c>, <c>memory</c>, <c>output</c>, <c>processes</c>).</summary>
    public string? BreachedLimit { get; init; }

    /// <summary>For <see cref="RunOutcome.SandboxError"/>: a safe reason.</summary>
    public string? Error { get; init; }

    /// <summary>Time from spawn until the command was running inside the sandbox.</summary>
    public TimeSpan? StartLatency { get; init; }
}
