using Phoenix.Testing;

namespace Phoenix.Cli.Tests.Support;

/// <summary>
/// <c>phoenix up</c> as a real background process on free ports, with its own data directory, sandbox root and cgroup
/// parent; stopped and cleaned up on dispose.
/// </summary>
public sealed class RunningPhoenix : IAsyncLifetime
{
    public string DataDir { get; } = Directory.CreateTempSubdirectory("phoenix-up-").FullName;

    public string CgroupParent { get; } = $"phoenix-cli-test-{Guid.NewGuid():N}";

    public int Port { get; } = FreePorts.Next();

    public ServiceProcess Up { get; private set; } = null!;

    public string SandboxRoot => Path.Combine(DataDir, "sandbox");

    /// <summary>What a user in another terminal would set to reach this instance.</summary>
    public Dictionary<string, string?> CliEnvironment => new()
    {
        ["PHOENIX_DATA_DIR"] = DataDir,
        ["PHOENIX_URL"] = $"http://127.0.0.1:{Port}",
    };

    public async Task InitializeAsync()
    {
        // The sandbox uid must be able to traverse the data directory to reach its sandbox root.
        File.SetUnixFileMode(DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute);
        Up = ServiceProcess.StartDll(
            "phoenix.dll",
            ["up", "--data-dir", DataDir, "--port", Port.ToString(), "--executor-port", FreePorts.Next().ToString(), "--executor-metrics-port", FreePorts.Next().ToString()],
            new Dictionary<string, string?>
            {
                ["Phoenix__Executor__Sandbox__Root"] = SandboxRoot,
                ["Phoenix__Executor__Sandbox__CgroupParent"] = CgroupParent,
            },
            "phoenix up");
        await Up.WaitForOutputAsync("Phoenix is up", TimeSpan.FromMinutes(2));
    }

    /// <summary>The pids of the services <c>phoenix up</c> started.</summary>
    public int[] ChildPids() =>
        [.. Directory.GetDirectories($"/proc/{Up.Pid}/task")
            .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(int.Parse)];

    /// <summary>Run directories and cgroups left by runs (the executor's own seccomp file is not a leftover).</summary>
    public IEnumerable<string> RunLeftovers()
    {
        var runs = Directory.Exists(SandboxRoot)
            ? Directory.GetFileSystemEntries(SandboxRoot).Where(e => Path.GetFileName(e) != ".seccomp.bpf")
            : [];
        var cgroups = new[] { "memory", "pids", "cpu" }
            .Select(c => Path.Combine("/sys/fs/cgroup", c, CgroupParent))
            .Where(Directory.Exists)
            .SelectMany(Directory.GetDirectories);
        return runs.Concat(cgroups);
    }

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    public static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        for (var attempt = 0; attempt < 60; attempt++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(500);
        }

        Assert.Fail($"Timed out waiting for {what}.");
    }

    public async Task DisposeAsync()
    {
        await Up.DisposeAsync();
        foreach (var controller in new[] { "memory", "pids", "cpu,cpuacct", "cpu", "cpuacct" })
        {
            var parent = Path.Combine("/sys/fs/cgroup", controller, CgroupParent);
            if (Directory.Exists(parent) && new DirectoryInfo(parent).LinkTarget is null)
            {
                try
                {
                    Directory.Delete(parent);
                }
                catch (IOException)
                {
                }
            }
        }

        Directory.Delete(DataDir, recursive: true);
    }
}
