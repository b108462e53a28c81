using Phoenix.Contracts.Executor;

namespace Phoenix.Executor.Tests.Sandbox;

// Processes that try to outlive their run, to see the host's or another run's, or to leave state behind.
public abstract partial class HostileBatteryTests
{
    [Fact]
    public async Task Execute_SetsidOrphan_RunReturnsAndOrphanIsKilled()
    {
        // Double fork + new session: the orphan is reparented and keeps stdout open; it must still die with the run.
        var result = await ExecuteAsync(Sh("(setsid sleep 300 &) ; echo done"));

        AssertStatus(RunStatus.Succeeded, result);
        Assert.Equal("done\n", result.Stdout);
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_KillAllSignal_RunEndsAndServiceIsFine()
    {
        // kill(-1, SIGKILL) reaches every process the sandbox uid may signal: only the sandbox's own.
        var result = await ExecuteAsync(Sh("sleep 300 & kill -9 -1; echo after"));

        Assert.True(result.Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Killed, Describe(result));
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_ListProc_SeesOnlyItsOwnFewProcesses()
    {
        var result = await ExecuteAsync(Sh("for p in /proc/[0-9]*; do echo \"${p#/proc/}:$(tr '\\0' ' ' < $p/cmdline)\"; done"));

        AssertStatus(RunStatus.Succeeded, result);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(lines.Length, 1, 5);
        Assert.All(lines, line =>
        {
            Assert.DoesNotContain("dotnet", line, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("testhost", line, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("systemd", line, StringComparison.OrdinalIgnoreCase);
        });
        Assert.DoesNotContain(lines, line => line.StartsWith(Environment.ProcessId + ":", StringComparison.Ordinal) && line.Contains("dotnet", StringComparison.Ordinal));
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_ConcurrentRuns_CannotSeeEachOthersFiles()
    {
        var marker = "zz-" + Guid.NewGuid().ToString("N");
        var writer = Sh($"echo {marker} > /work/{marker}; echo {marker} > /tmp/{marker}; echo ready; exec sleep 3", new Limits { TimeoutMs = 10_000 });
        using var call = Host.Client.ExecuteStream(writer, deadline: DateTime.UtcNow.AddMinutes(1));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal("ready\n", call.ResponseStream.Current.Output.Data.ToStringUtf8());

        // While run A sleeps with its secret in place: its workdir is mounted on the host right now.
        Assert.Single(Host.Workdirs(), Directory.Exists);
        var reader = await ExecuteAsync(Sh(
            "ls -A /work /tmp; echo ---; for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done; echo ---; " +
            "find / \\( -path /proc -o -path /usr \\) -prune -o -name 'zz-*' -print 2>/dev/null; true"));

        AssertStatus(RunStatus.Succeeded, reader);
        Assert.DoesNotContain(marker, reader.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("sleep", reader.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("/tmp:\n\n/work:\n---\n", reader.Stdout, StringComparison.Ordinal);

        ExecuteResult? first = null;
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            if (call.ResponseStream.Current.EventCase == ExecuteEvent.EventOneofCase.Result)
            {
                first = call.ResponseStream.Current.Result;
            }
        }

        Assert.NotNull(first);
        AssertStatus(RunStatus.Succeeded, first);
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_SecondRun_SeesNothingOfTheFirst()
    {
        var first = await ExecuteAsync(Sh("echo x > /work/x; echo y > /tmp/y; echo z > /dev/shm/z 2>/dev/null; echo r > /r 2>/dev/null; true"));
        AssertStatus(RunStatus.Succeeded, first);

        var second = await ExecuteAsync(Sh("for f in /work/x /tmp/y /dev/shm/z /r; do test -e $f && echo \"left $f\"; done; ls -A /work /tmp; echo checked"));

        AssertStatus(RunStatus.Succeeded, second);
        Assert.Equal("/tmp:\n\n/work:\nchecked\n", second.Stdout);
        await AssertLeavesNothingAsync();
    }
}
