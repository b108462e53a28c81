using System.Runtime.Versioning;
using Phoenix.Executor.Tests.Support;

namespace Phoenix.Executor.Tests.Sandbox.Hostile;

/// <summary>
/// The processes of the sandbox uid that runs of this test process left alive. A sandbox process is attributed by its
/// cgroup: the launcher joins the run's cgroup (as root, before dropping to the sandbox uid), a sandboxed process cannot
/// leave it (no cgroup file system inside, no privileges), and a cgroup cannot be removed while it has tasks, so every
/// process a run of this test process started stays in a group under one of its executors' parents until it dies,
/// however it was reparented. Sandboxes of other processes on the machine (another <c>dotnet test</c>, an executor,
/// the CLI's) are in other groups or none. The warm sandboxes the pools of this process's live executors hold are left
/// out by the same means.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class SandboxSurvivors
{
    public static IReadOnlyList<int> List()
    {
        var parents = ExecutorHost.CgroupParentsUsed().Select(p => "/" + p + "/").ToArray();
        var candidates = ExecutorHost.SandboxUidProcesses()
            .Where(pid => ExecutorHost.PidsCgroup(pid) is { } group && parents.Any(p => group.StartsWith(p, StringComparison.Ordinal)))
            .ToArray();

        // After the listing: a pool registers a sandbox's key before it starts any process, so every pooled process
        // listed above is in this set (one the pool started meanwhile would not be, had it been read first).
        var pooled = ExecutorHost.PooledCgroupPaths();
        return candidates.Where(pid => !InPool(pid, pooled)).ToArray();
    }

    /// <summary>Asserts there are none, naming each survivor (command, parent, cgroup) if there are.</summary>
    public static void AssertNone()
    {
        var survivors = List();
        Assert.True(survivors.Count == 0, "Sandbox processes survive: " + string.Join("; ", survivors.Select(Describe)));
    }

    private static string Describe(int pid)
    {
        var status = Status(pid);
        return status is null
            ? $"{pid} (gone)"
            : $"{pid} {Field(status, "Name:")} ppid={Field(status, "PPid:")} cgroup={ExecutorHost.PidsCgroup(pid)}";
    }

    // A process gone while we looked is not alive, so no survivor either.
    private static bool InPool(int pid, IReadOnlySet<string> pooled) =>
        ExecutorHost.PidsCgroup(pid) is not { } group || pooled.Contains(group);

    private static string[]? Status(int pid)
    {
        try
        {
            return File.ReadAllLines($"/proc/{pid}/status");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Field(string[] status, string name) =>
        status.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?[name.Length..].Trim() ?? string.Empty;
}
