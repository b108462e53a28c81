namespace Phoenix.Executor.Sandbox;

/// <summary>How a run ended (DESIGN.md's <c>status</c>).</summary>
internal enum RunOutcome
{
    Succeeded,
    Failed,
    TimedOut,
    MemoryLimit,
    OutputLimit,
    Killed,
    SandboxError,
}
