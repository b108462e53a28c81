using System.Globalization;
using System.Text;
using Phoenix.Contracts.Executor;

namespace Phoenix.Executor.Tests.Sandbox;

// Resource exhaustion: processes, threads, memory, disk, file size, output, CPU, time.
public abstract partial class HostileBatteryTests
{
    [Fact]
    public async Task Execute_ForkBomb_IsContainedAndLeavesNothing()
    {
        // The classic bomb, then a sleep longer than the timeout so the run cannot simply "succeed":
        // the bomb is bounded by pids.max, the run ends by timeout (or fails to fork its sleep).
        var result = await ExecuteAsync(Request("bash", new Limits { TimeoutMs = 2000, MaxProcesses = 5 }, "-c", ":(){ :|:& };:; sleep 5"));

        Assert.True(result.Status is RunStatus.TimedOut or RunStatus.Failed or RunStatus.Killed, Describe(result));
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_ForkLoop_IsBoundedByMaxProcesses()
    {
        // Each child sleeps far past the run: it must be refused by pids.max, then killed with the sandbox.
        const string code = """
            import os, time
            forked = refused = 0
            for _ in range(100):
                try:
                    if os.fork() == 0:
                        time.sleep(300)
                        os._exit(0)
                    forked += 1
                except OSError:
                    refused += 1
            print(forked, refused, flush=True)
            os._exit(0)
            """;

        var result = await ExecuteAsync(Py(code, new Limits { MaxProcesses = 5 }));

        AssertStatus(RunStatus.Succeeded, result);
        var counts = result.Stdout.Split(' ', StringSplitOptions.TrimEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Assert.InRange(counts[0], 0, 5);
        Assert.True(counts[1] >= 95, Describe(result));
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_ThreadBomb_IsBoundedByMaxProcesses()
    {
        // pids.max counts threads too.
        const string code = """
            import os, threading, time
            started = 0
            try:
                for _ in range(1000):
                    threading.Thread(target=time.sleep, args=(300,), daemon=True).start()
                    started += 1
            except RuntimeError:
                pass
            print(started, flush=True)
            os._exit(0)
            """;

        var result = await ExecuteAsync(Py(code, new Limits { MaxProcesses = 5 }));

        AssertStatus(RunStatus.Succeeded, result);
        Assert.InRange(int.Parse(result.Stdout, CultureInfo.InvariantCulture), 0, 5);
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_HeapMemoryBomb_IsMemoryLimit()
    {
        // 1 GiB of touched pages (a repeated string is written, not lazily mapped) against 64 MiB.
        var result = await ExecuteAsync(Py("s = 'x' * (1 << 30); print(len(s))", new Limits { MemoryMb = 64 }));

        AssertStatus(RunStatus.MemoryLimit, result);
        Assert.Equal(string.Empty, result.Stdout);
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_TmpfsMemoryBomb_IsMemoryLimitOrFailedWrite()
    {
        // /tmp is a tmpfs: its pages are memory, charged to the run's cgroup, and /tmp is capped at 64 MiB.
        var free = FreeDiskBytes();

        var result = await ExecuteAsync(Sh("head -c 200M /dev/zero > /tmp/big && ls -l /tmp/big", new Limits { MemoryMb = 64 }));

        Assert.True(result.Status is RunStatus.MemoryLimit or RunStatus.Failed, Describe(result));
        Assert.DoesNotContain("209715200", result.Stdout, StringComparison.Ordinal);
        AssertDiskNotFilled(free);
        await AssertLeavesNothingAsync();
    }

    [Theory]
    [InlineData("/work/big")]
    [InlineData("/tmp/big")]
    public async Task Execute_DiskFill_FailsWithoutTouchingTheHostDisk(string target)
    {
        // The workdir and /tmp are 64 MiB tmpfs; a single file is also capped at 64 MiB (RLIMIT_FSIZE),
        // so dd stops with ENOSPC or is killed by SIGXFSZ, whichever comes first.
        var free = FreeDiskBytes();

        var result = await ExecuteAsync(Sh($"exec dd if=/dev/zero of={target} bs=1M count=500"));

        Assert.True(
            (result.Status == RunStatus.Failed && (result.Stderr.Contains("No space left", StringComparison.Ordinal) || result.Stderr.Contains("File too large", StringComparison.Ordinal)))
            || (result.Status == RunStatus.Killed && result.Signal == 25),
            Describe(result));
        AssertDiskNotFilled(free);
        await AssertLeavesNothingAsync();
    }

    [Theory]
    [InlineData("/dev/shm")]
    [InlineData("/etc")]
    public async Task Execute_FillUncappedDirectory_IsContainedByMemoryLimit(string directory)
    {
        // Files under 64 MiB each (below RLIMIT_FSIZE), 240 MiB in all, against 64 MiB of memory: wherever
        // the command can write outside the capped workdir and /tmp, only the memory limit can stop it.
        var free = FreeDiskBytes();
        var script = $"for i in 1 2 3 4 5 6; do dd if=/dev/zero of={directory}/fill$i bs=1M count=40 2>/dev/null || exit 1; done; echo filled";

        var result = await ExecuteAsync(Sh(script, new Limits { MemoryMb = 64 }));

        Assert.True(result.Status is RunStatus.MemoryLimit or RunStatus.Failed, Describe(result));
        Assert.Equal(string.Empty, result.Stdout);
        AssertDiskNotFilled(free);
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_FileLargerThanMaxFileSize_IsKilledBySigxfsz()
    {
        // That host's policy sets MaxFileSizeMb = 1: the second 1 MiB block is past RLIMIT_FSIZE.
        var result = await ExecuteAsync(fixture.SmallFiles, Sh("exec dd if=/dev/zero of=big bs=1M count=4"));

        Assert.True(
            (result.Status == RunStatus.Killed && result.Signal == 25)
            || (result.Status == RunStatus.Failed && result.Stderr.Contains("File too large", StringComparison.Ordinal)),
            Describe(result));
        await AssertLeavesNothingAsync(fixture.SmallFiles);
    }

    [Fact]
    public async Task Execute_StdoutFlood_IsOutputLimitTruncatedAtCap()
    {
        var result = await ExecuteAsync(Sh("yes flood", new Limits { MaxOutputBytes = 4096 }));

        AssertStatus(RunStatus.OutputLimit, result);
        Assert.True(result.StdoutTruncated);
        Assert.Equal(4096, Encoding.UTF8.GetByteCount(result.Stdout));
        Assert.False(result.StderrTruncated);
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_StderrFlood_IsOutputLimitTruncatedAtCap()
    {
        var result = await ExecuteAsync(Sh("yes flood >&2", new Limits { MaxOutputBytes = 4096 }));

        AssertStatus(RunStatus.OutputLimit, result);
        Assert.True(result.StderrTruncated);
        Assert.Equal(4096, Encoding.UTF8.GetByteCount(result.Stderr));
        Assert.False(result.StdoutTruncated);
        Assert.Equal(string.Empty, result.Stdout);
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_BusyLoopPastTimeout_IsTimedOut()
    {
        var result = await ExecuteAsync(Sh("while :; do :; done", new Limits { TimeoutMs = 1000 }));

        AssertStatus(RunStatus.TimedOut, result);
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_SleepPastTimeout_IsTimedOut()
    {
        var result = await ExecuteAsync(Request("sleep", new Limits { TimeoutMs = 1000 }, "300"));

        AssertStatus(RunStatus.TimedOut, result);
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_ThreeBusyProcessesAtHalfACpu_UseAtMostTheQuota()
    {
        var result = await ExecuteAsync(Sh(
            "for i in 1 2 3; do (while :; do :; done) & done; wait",
            new Limits { CpuPercent = 50, TimeoutMs = 2000, MaxProcesses = 5 }));

        AssertStatus(RunStatus.TimedOut, result);

        // A resource assertion, not a speed one: the CFS quota (50 ms per 100 ms period) caps the cgroup's
        // CPU time at about half the wall time, however many processes spin. Without the quota three spinning
        // processes on two cores would use ~2 × wall. Tolerance: 30 % for period rounding and accounting done
        // while the group is being killed, plus 200 ms for starting bubblewrap and the shell.
        var bound = (0.5 * result.Usage.WallMs * 1.3) + 200;
        Assert.True(result.Usage.CpuMs <= bound, $"cpu {result.Usage.CpuMs} ms > {bound} ms for wall {result.Usage.WallMs} ms");
        Assert.True(result.Usage.CpuMs > 0, "The run's CPU time was not accounted.");
        await AssertLeavesNothingAsync();
    }
}
