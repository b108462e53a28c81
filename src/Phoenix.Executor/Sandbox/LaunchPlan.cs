using Phoenix.Executor.Policy;
using Phoenix.Executor.Sandbox.Pool;

namespace Phoenix.Executor.Sandbox;

/// <summary>
/// What one launch of the sandbox chain needs: the sizes and rlimits fixed at start (<paramref name="Shape"/>),
/// the CPU time rlimit (<c>null</c>: unlimited, set later by a warm sandbox's helper), bubblewrap's working directory,
/// environment and command.
/// </summary>
internal sealed record LaunchPlan(
    SandboxShape Shape,
    int? CpuSeconds,
    string Directory,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    IReadOnlyList<string> Command)
{
    /// <summary>A cold run: bubblewrap runs the command itself, with the run's limits, directory and environment.</summary>
    public static LaunchPlan For(RunSpec run) => new(
        SandboxShape.Of(run.Policy),
        CpuSecondsOf(run),
        DirectoryOf(run),
        [.. BubblewrapSandbox.BaseEnvironment, .. run.Env],
        [run.CommandPath, .. run.Args]);

    /// <summary>A warm sandbox: bubblewrap runs the helper, which applies the CPU limit, directory and environment of the run it gets.</summary>
    public static LaunchPlan Warm(SandboxShape shape) => new(shape, null, "/work", WarmHelper.Environment, WarmHelper.Command);

    /// <summary>RLIMIT_CPU of a run: its timeout plus 2 s (the wall-clock timeout fires first; this is the second fence).</summary>
    public static int CpuSecondsOf(RunSpec run) => (run.Limits.TimeoutMs / 1000) + 2;

    /// <summary>The working directory of <paramref name="run"/> inside the sandbox.</summary>
    public static string DirectoryOf(RunSpec run) => run.WorkingDirectory.Length == 0 ? "/work" : "/work/" + run.WorkingDirectory;
}
