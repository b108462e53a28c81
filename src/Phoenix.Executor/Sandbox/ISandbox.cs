using Phoenix.Executor.Policy;

namespace Phoenix.Executor.Sandbox;

/// <summary>Runs one checked command in isolation and leaves nothing behind.</summary>
internal interface ISandbox
{
    /// <summary>Runs <paramref name="run"/>. Cancelling kills the run; the result then says <see cref="RunOutcome.Killed"/>.</summary>
    Task<SandboxResult> RunAsync(RunSpec run, IOutputSink? output, CancellationToken cancellationToken);

    /// <summary>Removes what a crash left behind (stale workdirs, cgroups). Called once at start.</summary>
    void CleanUpStale();
}
