using System.Runtime.Versioning;
using Phoenix.Executor.Tests.Support;

namespace Phoenix.Executor.Tests.Sandbox.Hostile;

/// <summary>
/// The executors the hostile battery attacks: <see cref="Main"/> with small limits (3 s timeout, 128 MiB,
/// one CPU, the default 64 MiB workdir and /tmp), and <see cref="SmallFiles"/> whose policy caps a single
/// file at 1 MiB (RLIMIT_FSIZE), so the oversized-file case is quick.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class HostileFixture : IAsyncLifetime
{
    public ExecutorHost Main { get; private set; } = null!;

    public ExecutorHost SmallFiles { get; private set; } = null!;

    /// <summary>The settings of <see cref="Main"/>; a case that needs its own host starts from them.</summary>
    public static Dictionary<string, string?> Settings(params (string Key, string Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Phoenix:Executor:MaxConcurrentRuns"] = "2",
            ["Phoenix:Executor:Policy:Defaults:TimeoutMs"] = "3000",
            ["Phoenix:Executor:Policy:Defaults:MemoryMb"] = "128",
            ["Phoenix:Executor:Policy:Defaults:CpuPercent"] = "100",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return settings;
    }

    public async Task InitializeAsync()
    {
        Main = await ExecutorHost.StartAsync(Settings());
        SmallFiles = await ExecutorHost.StartAsync(Settings(("Phoenix:Executor:Policy:MaxFileSizeMb", "1")));
    }

    public async Task DisposeAsync()
    {
        await Main.DisposeAsync();
        await SmallFiles.DisposeAsync();
    }
}
