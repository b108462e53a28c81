namespace Phoenix.Executor.Sandbox;

/// <summary>How a sandbox's top process ended and what it wrote.</summary>
internal sealed record ChildExit(
    int ExitCode,
    bool TimedOut,
    bool OutputOverflow,
    bool Cancelled,
    string Stdout,
    string Stderr,
    bool StdoutTruncated,
    bool StderrTruncated,
    TimeSpan Wall);
