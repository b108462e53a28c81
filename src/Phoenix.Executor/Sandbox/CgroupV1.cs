using System.Globalization;

namespace Phoenix.Executor.Sandbox;

/// <summary>
/// One run's cgroup in the v1 hierarchies (memory, pids, cpu, cpuacct, freezer): limits, accounting, and
/// the "kill everything in it" sweep. v1 has no cgroup.kill, so the sweep freezes the group, SIGKILLs every
/// task, and thaws it, so nothing can fork while it is being killed.
/// </summary>
internal sealed class CgroupV1
{
    internal static readonly string[] Controllers = ["memory", "pids", "cpu", "cpuacct", "freezer"];
    private const long CpuPeriodMicros = 100_000;
    private readonly string _root;
    private readonly string _relative;

    private CgroupV1(string root, string relative)
    {
        _root = root;
        _relative = relative;
    }

    /// <summary>The <c>cgroup.procs</c> files a process writes its pid to, to join every controller.</summary>
    public IEnumerable<string> ProcsFiles => Controllers.Select(c => System.IO.Path.Join(Dir(c), "cgroup.procs"));

    /// <summary>True when the v1 controllers Phoenix needs are mounted and writable here.</summary>
    public static bool IsAvailable(string root) =>
        Controllers.All(c => Directory.Exists(System.IO.Path.Join(root, c))) && Native.IsRoot;

    public static CgroupV1 Create(string root, string parent, string key, long memoryBytes, int maxTasks, int cpuPercent)
    {
        var group = new CgroupV1(root, System.IO.Path.Join(parent, key));
        foreach (var controller in Controllers)
        {
            Directory.CreateDirectory(group.Dir(controller));
        }

        group.Write("memory", "memory.swappiness", 0);
        group.ApplyLimits(memoryBytes, maxTasks, cpuPercent);
        return group;
    }

    /// <summary>
    /// Sets the memory (and memory+swap), task and CPU limits of the group, raising or lowering. Lowering the memory
    /// limit below what the group uses fails with an <see cref="IOException"/> (EBUSY) after the kernel tried to reclaim.
    /// </summary>
    public void ApplyLimits(long memoryBytes, int maxTasks, int cpuPercent)
    {
        // v1 keeps memsw.limit >= limit at every step: lower the limit first, raise memsw first.
        if (memoryBytes < Read("memory", "memory.limit_in_bytes"))
        {
            Write("memory", "memory.limit_in_bytes", memoryBytes);
            TryWrite("memory", "memory.memsw.limit_in_bytes", memoryBytes);
        }
        else
        {
            TryWrite("memory", "memory.memsw.limit_in_bytes", memoryBytes);
            Write("memory", "memory.limit_in_bytes", memoryBytes);
        }

        Write("pids", "pids.max", maxTasks);
        Write("cpu", "cpu.cfs_period_us", CpuPeriodMicros);
        Write("cpu", "cpu.cfs_quota_us", Math.Max(1_000, CpuPeriodMicros * cpuPercent / 100));
    }

    /// <summary>Starts CPU and peak-memory accounting afresh (what was used before does not count).</summary>
    public void ResetAccounting()
    {
        Write("cpuacct", "cpuacct.usage", 0);
        Write("memory", "memory.max_usage_in_bytes", 0);
    }

    public long CpuNanoseconds => Read("cpuacct", "cpuacct.usage");

    public long PeakMemoryBytes => Read("memory", "memory.max_usage_in_bytes");

    /// <summary>Times the kernel's OOM killer fired in this group.</summary>
    public long OomKills
    {
        get
        {
            var path = System.IO.Path.Join(Dir("memory"), "memory.oom_control");
            var line = File.Exists(path) ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith("oom_kill ", StringComparison.Ordinal)) : null;
            return line is null ? 0 : long.Parse(line.AsSpan(9), CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Times a fork failed because of pids.max.</summary>
    public long PidLimitHits
    {
        get
        {
            var path = System.IO.Path.Join(Dir("pids"), "pids.events");
            var line = File.Exists(path) ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith("max ", StringComparison.Ordinal)) : null;
            return line is null ? 0 : long.Parse(line.AsSpan(4), CultureInfo.InvariantCulture);
        }
    }

    public IReadOnlyList<int> Tasks()
    {
        var path = System.IO.Path.Join(Dir("pids"), "tasks");
        try
        {
            return File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>Freezes the group, SIGKILLs every task in it, thaws it. Returns the number of tasks signalled.</summary>
    public int KillAll()
    {
        TryWrite("freezer", "freezer.state", "FROZEN");
        var tasks = Tasks();
        foreach (var pid in tasks)
        {
            _ = Native.Kill(pid, 9);
        }

        TryWrite("freezer", "freezer.state", "THAWED");
        return tasks.Count;
    }

    /// <summary>Removes the group's directories; false while tasks remain.</summary>
    public bool TryDelete() => TryDelete(_root, _relative);

    /// <summary>
    /// Removes every run group under <paramref name="parent"/> (left by a crash), killing what is left in them, except
    /// the groups whose name <paramref name="keep"/> accepts (sandboxes a live pool already owns).
    /// </summary>
    public static int CleanUpStale(string root, string parent, Func<string, bool>? keep = null)
    {
        var parentDir = System.IO.Path.Join(root, "pids", parent);
        if (!Directory.Exists(parentDir))
        {
            return 0;
        }

        var removed = 0;
        foreach (var dir in Directory.EnumerateDirectories(parentDir))
        {
            var name = System.IO.Path.GetFileName(dir);
            if (keep?.Invoke(name) == true)
            {
                continue;
            }

            // SIGKILLed tasks leave the group in their exit path, a moment later: keep sweeping (briefly) until it is empty.
            var group = new CgroupV1(root, System.IO.Path.Join(parent, name));
            for (var i = 0; i < 1_000 && group.KillAll() > 0; i++)
            {
                Thread.Yield();
            }

            removed += group.TryDelete() ? 1 : 0;
        }

        return removed;
    }

    private static bool TryDelete(string root, string relative)
    {
        var ok = true;
        foreach (var controller in Controllers)
        {
            var dir = System.IO.Path.Join(root, controller, relative);
            try
            {
                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir);
                }
            }
            catch (IOException)
            {
                ok = false;
            }
        }

        return ok;
    }

    private string Dir(string controller) => System.IO.Path.Join(_root, controller, _relative);

    private void Write(string controller, string file, object value) =>
        File.WriteAllText(System.IO.Path.Join(Dir(controller), file), Convert.ToString(value, CultureInfo.InvariantCulture));

    private void TryWrite(string controller, string file, object value)
    {
        try
        {
            Write(controller, file, value);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private long Read(string controller, string file)
    {
        try
        {
            return long.Parse(File.ReadAllText(System.IO.Path.Join(Dir(controller), file)).AsSpan().Trim(), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
