using System.Runtime.Versioning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Phoenix.Contracts.Executor;
using Phoenix.Executor.Sandbox;
using Phoenix.Executor.Sandbox.Pool;
using Phoenix.Executor.Tests.Support;

namespace Phoenix.Executor.Tests.Sandbox.Pool;

/// <summary>
/// The pool's life: filling, handing out, refilling, replacing what dies, following its size and the policy, and
/// leaving nothing (no process, mount, cgroup or file) when it stops. Real bubblewrap, real cgroups.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class WarmSandboxPoolTests
{
    private const string SizeKey = "Phoenix:Executor:Sandbox:WarmPool:Size";

    [Fact]
    public async Task Start_SizeTwo_KeepsTwoReadySandboxesEachWithItsCgroupMountAndWaitingHelper()
    {
        await using var host = await StartAsync(2);
        var pool = host.Pool!;

        var keys = pool.OwnedKeys;

        Assert.Equal(2, keys.Count);
        Assert.Equal(2, pool.Available);
        Assert.Equal(keys.Order(StringComparer.Ordinal), host.Workdirs(pooled: true).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(keys.Order(StringComparer.Ordinal), host.Mounts().Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.All(keys, key => Assert.Contains(host.Cgroups(pooled: true), c => c.EndsWith("/" + key, StringComparison.Ordinal)));

        // bubblewrap's monitor, its pid-namespace init and the helper, in each sandbox's own cgroup.
        var byGroup = host.CgroupProcesses().GroupBy(ExecutorHost.PidsCgroup).ToDictionary(g => g.Key!, g => g.Count());
        Assert.All(keys, key => Assert.Equal(3, byGroup["/" + host.CgroupParent + "/" + key]));
        Assert.Empty(host.Workdirs());
        Assert.Empty(host.Cgroups());
    }

    [Fact]
    public async Task Execute_PoolReady_RunsWarmAndTheSandboxIsReplaced()
    {
        await using var host = await StartAsync(2);
        var pool = host.Pool!;
        var before = pool.OwnedKeys;

        var result = await host.ShAsync("echo warm");

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("warm\n", result.Stdout);
        Assert.Equal(1, pool.Hits);
        Assert.Equal(0, pool.Misses);
        await host.WaitForWarmPoolAsync();
        var after = pool.OwnedKeys;
        Assert.Equal(2, after.Count);
        var used = Assert.Single(before.Except(after));
        Assert.DoesNotContain(host.Workdirs(pooled: true), w => w.EndsWith(used, StringComparison.Ordinal));
        Assert.DoesNotContain(host.Cgroups(pooled: true), c => c.EndsWith(used, StringComparison.Ordinal));
        Assert.DoesNotContain(host.Mounts(), m => m.EndsWith(used, StringComparison.Ordinal));
        Assert.Empty(host.RunFiles());
    }

    [Fact]
    public async Task Execute_BackToBackWithSizeOne_SecondRunTakesTheSandboxStillStarting()
    {
        await using var host = await StartAsync(1);
        var pool = host.Pool!;

        var first = await host.RunAsync("echo", "1");
        var second = await host.RunAsync("echo", "2");

        Assert.Equal("1\n", first.Stdout);
        Assert.Equal("2\n", second.Stdout);
        Assert.Equal(2, pool.Hits);
        Assert.Equal(0, pool.Misses);
    }

    [Fact]
    public async Task Size_Zero_NothingIsPreStartedAndRunsAreCold()
    {
        await using var host = await StartAsync(0);
        var pool = host.Pool!;

        var result = await host.ShAsync("echo cold");

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("cold\n", result.Stdout);
        Assert.Equal(0, pool.TargetSize);
        Assert.Empty(pool.OwnedKeys);
        Assert.Equal(0, pool.Hits);
        Assert.Equal(0, pool.Misses);
        Assert.Empty(host.Workdirs(pooled: true));
        Assert.Empty(host.Cgroups(pooled: true));
        Assert.Empty(host.CgroupProcesses());
    }

    [Fact]
    public async Task Size_Reloaded_PoolGrowsShrinksAndTurnsOffWithoutRestart()
    {
        await using var host = await StartAsync(1);
        var pool = host.Pool!;
        var configuration = (IConfigurationRoot)host.Services.GetRequiredService<IConfiguration>();

        configuration[SizeKey] = "3";
        configuration.Reload();
        await Eventually.TrueAsync(() => pool.Available == 3 && pool.OwnedKeys.Count == 3, seconds: 60);

        configuration[SizeKey] = "0";
        configuration.Reload();
        await Eventually.TrueAsync(() => pool.OwnedKeys.Count == 0, seconds: 60);

        Assert.Empty(host.Workdirs(pooled: true));
        Assert.Empty(host.Cgroups(pooled: true));
        Assert.Empty(host.Mounts());
        Assert.Empty(host.CgroupProcesses());
        Assert.Equal("cold\n", (await host.RunAsync("echo", "cold")).Stdout);
        Assert.Equal(0, pool.Hits);
    }

    [Fact]
    public async Task Size_InvalidReload_IsRejectedAndTheLastGoodSizeStays()
    {
        await using var host = await StartAsync(1);
        var pool = host.Pool!;
        var configuration = (IConfigurationRoot)host.Services.GetRequiredService<IConfiguration>();

        configuration[SizeKey] = "-1";
        configuration.Reload();

        Assert.Equal(1, pool.TargetSize);
        Assert.NotNull(host.Services.GetRequiredService<Phoenix.Resilience.Configuration.ReloadableSnapshot<WarmPoolOptions>>().LastRejection);
    }

    [Fact]
    public async Task Policy_ShapeChanged_WaitingSandboxesAreReplacedAndRunsStayWarm()
    {
        await using var host = await StartAsync(2);
        var pool = host.Pool!;
        var configuration = (IConfigurationRoot)host.Services.GetRequiredService<IConfiguration>();
        var before = pool.OwnedKeys;

        configuration["Phoenix:Executor:Policy:TmpSizeMb"] = "32";
        configuration.Reload();
        await Eventually.TrueAsync(() => !pool.OwnedKeys.Intersect(before).Any() && pool.Available == 2, seconds: 60);

        var result = await host.ShAsync("df -k /tmp | tail -1");

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Contains(" 32768 ", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, pool.Hits);
        Assert.Equal(0, pool.Misses);
    }

    [Fact]
    public async Task Stop_PoolFull_LeavesNoProcessMountCgroupOrFile()
    {
        var host = await StartAsync(3);
        try
        {
            Assert.Equal(3, host.CgroupProcesses().Count / 3);

            await host.StopAsync();

            Assert.Empty(host.CgroupProcesses());
            Assert.Empty(host.Mounts());
            Assert.Empty(host.Workdirs(pooled: true));
            Assert.Empty(host.Cgroups(pooled: true));
            Assert.Empty(host.RunFiles(pooled: true));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Stop_RightAfterAWarmRun_WaitsForTheUsedSandboxToBeDestroyed()
    {
        // A run's result does not wait for its sandbox's unmount and cgroup removal (the pool does that afterwards):
        // stopping the host at once must still leave nothing of it.
        var host = await StartAsync(1);
        try
        {
            var result = await host.ShAsync("echo warm; echo x > /tmp/x");
            Assert.Equal("warm\n", result.Stdout);
            Assert.Equal(1, host.Pool!.Hits);

            await host.StopAsync();

            Assert.Empty(host.CgroupProcesses());
            Assert.Empty(host.Mounts());
            Assert.Empty(host.Workdirs(pooled: true));
            Assert.Empty(host.Cgroups(pooled: true));
            Assert.Empty(host.RunFiles(pooled: true));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Stop_WhileSandboxesAreStarting_LeavesNothing()
    {
        // No wait for the pool: the host stops while the loop is starting the first of eight sandboxes.
        var host = await ExecutorHost.StartAsync(new Dictionary<string, string?> { [SizeKey] = "8" });
        try
        {
            await host.StopAsync();

            Assert.Empty(host.CgroupProcesses());
            Assert.Empty(host.Mounts());
            Assert.Empty(host.Workdirs(pooled: true));
            Assert.Empty(host.Cgroups(pooled: true));
            Assert.Empty(host.RunFiles(pooled: true));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("bubblewrap")]
    [InlineData("helper")]
    public async Task WaitingSandbox_Killed_IsDestroyedAndReplaced(string victim)
    {
        await using var host = await StartAsync(1);
        var pool = host.Pool!;
        var warm = Assert.Single(pool.IdleSandboxes);
        var group = "/" + host.CgroupParent + "/" + warm.Key;

        // bubblewrap's monitor is the process the pool started; the helper is the bash in the sandbox's cgroup.
        var pid = victim == "bubblewrap"
            ? warm.Process!.Id
            : host.CgroupProcesses().Single(p => ExecutorHost.PidsCgroup(p) == group && File.ReadAllText($"/proc/{p}/comm") == "bash\n");
        Assert.Equal(0, Kill(pid, 9));

        await Eventually.TrueAsync(() => !pool.OwnedKeys.Contains(warm.Key) && pool.Available == 1, seconds: 60);
        Assert.DoesNotContain(host.CgroupProcesses(), p => ExecutorHost.PidsCgroup(p) == group);
        Assert.DoesNotContain(host.Mounts(), m => m.EndsWith(warm.Key, StringComparison.Ordinal));
        Assert.DoesNotContain(host.Cgroups(pooled: true), c => c.EndsWith(warm.Key, StringComparison.Ordinal));
        Assert.Equal("ok\n", (await host.RunAsync("echo", "ok")).Stdout);
        Assert.Equal(1, pool.Hits);
    }

    [Fact]
    public async Task CleanUpStale_WarmSandboxesNoLivePoolOwns_AreRemovedLikeRuns()
    {
        await using var host = await StartAsync(2);
        var pool = host.Pool!;
        var keys = pool.OwnedKeys;

        // The service's own start-up cleanup leaves the live pool alone...
        host.Services.GetRequiredService<ISandbox>().CleanUpStale();
        Assert.Equal(keys.Order(StringComparer.Ordinal), pool.OwnedKeys.Order(StringComparer.Ordinal));
        Assert.Equal(2, pool.Available);

        // ...and removes the same sandboxes as stale once nothing owns them (as after a crash of the process that made them).
        host.Services.GetRequiredService<BubblewrapSandbox>().CleanUpStale(keep: null);

        Assert.All(keys, key =>
        {
            Assert.DoesNotContain(host.Mounts(), m => m.EndsWith(key, StringComparison.Ordinal));
            Assert.DoesNotContain(host.Workdirs(pooled: true), w => w.EndsWith(key, StringComparison.Ordinal));
            Assert.DoesNotContain(host.Cgroups(pooled: true), c => c.EndsWith(key, StringComparison.Ordinal));
            Assert.DoesNotContain(host.RunFiles(pooled: true), f => f.Contains(key, StringComparison.Ordinal));
        });
        await Eventually.TrueAsync(() => !pool.OwnedKeys.Intersect(keys).Any() && pool.Available == 2, seconds: 60);
        Assert.Equal("ok\n", (await host.RunAsync("echo", "ok")).Stdout);
    }

    private static async Task<ExecutorHost> StartAsync(int size)
    {
        var host = await ExecutorHost.StartAsync(new Dictionary<string, string?> { [SizeKey] = size.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await host.WaitForWarmPoolAsync();
        return host;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
