using Phoenix.Executor.Policy;

namespace Phoenix.Executor.Sandbox;

/// <summary>
/// What a sandbox fixes when it starts and a run cannot change afterwards: the sizes of its workdir and /tmp
/// (tmpfs mounts made before the run is known) and the file-size and open-file rlimits (set by <c>prlimit</c> on the
/// whole launch chain). All four come from the policy, never from a request, so a run fits a warm sandbox exactly
/// when both were made under the same policy values. Everything else (CPU time, memory, processes, CPU quota, files,
/// stdin, environment, arguments, working directory) is applied per run.
/// </summary>
internal readonly record struct SandboxShape(int WorkdirSizeMb, int TmpSizeMb, int MaxFileSizeMb, int MaxOpenFiles)
{
    public static SandboxShape Of(PolicyOptions policy) =>
        new(policy.WorkdirSizeMb, policy.TmpSizeMb, policy.MaxFileSizeMb, policy.MaxOpenFiles);
}
