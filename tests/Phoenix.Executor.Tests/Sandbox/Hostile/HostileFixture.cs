using System.Runtime.Versioning;
using Phoenix.Executor.Tests.Support;

namespace Phoenix.Executor.Tests.Sandbox.Hostile;

/// <summary>
/// The executors the hostile battery attacks: <see cref="Main"/> with small limits (3 s timeout, 128 MiB,
/// one CPU, the default 64 MiB workdir and /tmp), and <see cref="SmallFiles"/> whose policy caps a single
/// file at 1 MiB (RLIMIT_FSIZE), so the oversized-file case is quick. The battery runs once per mode: cold
/// (<see cref="ColdHostileFixture"/>, no warm pool) and pooled (<see cref="PooledHostileFixture"/>, every run in
/// a warm sandbox).
/// </summary>
[SupportedOSPlatform("linux")]
public abstract class HostileFixture : IAsyncLifetime
{
    public ExecutorHost Main { get; private set; } = null!;

    public ExecutorHost SmallFiles { get; private set; } = null!;

    /// <summary>Warm sandboxes each executor keeps; 0 is the cold mode.</summary>
    public abstract int PoolSize { get; }

    public bool Pooled => PoolSize > 0;

    /// <summary>The settings of <see cref="Main"/>; a case that needs its own host starts from them (<see cref="StartHostAsync"/>).</summary>
    public Dictionary<string, string?> Settings(params (string Key, string Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Phoenix:Executor:MaxConcurrentRuns"] = "2",
            ["Phoenix:Executor:Policy:Defaults:TimeoutMs"] = "3000",
            ["Phoenix:Executor:Policy:Defaults:MemoryMb"] = "128",
            ["Phoenix:Executor:Policy:Defaults:CpuPercent"] = "100",
            ["Phoenix:Executor:Sandbox:WarmPool:Size"] = PoolSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Starts an executor with <see cref="Settings"/> and waits for its pool to be full.</summary>
    public async Task<ExecutorHost> StartHostAsync(params (string Key, string Value)[] overrides)
    {
        var host = await ExecutorHost.StartAsync(Settings(overrides));
        await host.WaitForWarmPoolAsync();
        return host;
    }

    public async Task InitializeAsync()
    {
        Main = await StartHostAsync();
        SmallFiles = await StartHostAsync(("Phoenix:Executor:Policy:MaxFileSizeMb", "1"));
    }

    public async Task DisposeAsync()
    {
        await Main.DisposeAsync();
        await SmallFiles.DisposeAsync();
    }
}
