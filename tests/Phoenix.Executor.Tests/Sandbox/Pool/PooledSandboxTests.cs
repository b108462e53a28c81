using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Phoenix.Contracts.Executor;
using Phoenix.Executor.Tests.Support;

namespace Phoenix.Executor.Tests.Sandbox.Pool;

/// <summary>
/// Runs in warm sandboxes get exactly what a cold run gets (argv, environment, stdin, limits, the same sandbox) and
/// nothing of the helper that waited, nor of the run before. Every run here is asserted to have been warm.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PooledSandboxTests(PooledSandboxTests.Hosts hosts) : IClassFixture<PooledSandboxTests.Hosts>
{
    // What a sandbox looks like from inside, with the parts that legitimately differ between two runs (pids, mount
    // ids, device numbers) left out.
    private const string Introspection =
        "id; echo; ulimit -a; echo; ulimit -H -a; echo; env | sort; echo; pwd; echo; grep -E '^(Cap|NoNewPrivs|Seccomp:)' /proc/self/status; " +
        "echo; awk '{ print $5, $6 }' /proc/self/mountinfo | sort; echo; ls -A / /work /tmp /dev/shm; echo; cat /proc/sys/kernel/hostname; " +
        "ls -l /proc/self/fd | tail -n +2 | awk '{ print $9 }'; echo cpu=$(ulimit -t)";

    private ExecutorHost Pooled => hosts.Pooled;

    [Fact]
    public async Task Execute_Introspection_WarmSandboxLooksExactlyLikeACold()
    {
        var request = Sh(Introspection, new Limits { TimeoutMs = 7_000, MemoryMb = 100, MaxProcesses = 7 });
        request.Env.Add("GREETING", "hello");
        request.WorkingDirectory = "sub/dir";

        var cold = await hosts.Cold.Client.ExecuteAsync(request);
        var warm = await RunWarmAsync(request);

        Assert.Equal(RunStatus.Succeeded, cold.Status);
        Assert.Equal(cold.Stdout, warm.Stdout);
        Assert.Equal(cold.Stderr, warm.Stderr);
        Assert.Contains("cpu=9\n", warm.Stdout, StringComparison.Ordinal);
        Assert.Contains("PWD=/work/sub/dir\n", warm.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_HostileArgvAndEnv_ReachTheCommandUnchanged()
    {
        // Shell syntax, options env or bash might take, assignments after the command, every control byte but NUL.
        string[] args =
        [
            "$(touch /work/pwned)", "`touch /work/pwned`", "; touch /work/pwned", "&& exit 7", "'\"\\", "\n", "",
            "--", "-i", "-u", "PATH=/evil", "X=Y", "-S x y", "*", "~", "${HOME}", "%s%n", "phoenix-run/1",
            new string(Enumerable.Range(1, 127).Select(c => (char)c).ToArray()), "é€🚀\u202e",
        ];
        var request = Py("import json, os, sys; print(json.dumps({'argv': sys.argv[1:], 'env': dict(os.environ)}))");
        request.Args.Add("--");
        request.Args.Add(args);
        request.Env.Add("WEIRD", "a=b\n$(touch /work/pwned)\u0001\u007f'\"");
        request.Env.Add("EMPTY", string.Empty);
        request.Env.Add("UID", "0");
        request.Env.Add("SHELLOPTS_LIKE", "xtrace");

        var result = await RunWarmAsync(request);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        var seen = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(["--", .. args], seen.GetProperty("argv").EnumerateArray().Select(a => a.GetString()!).ToArray());
        var env = seen.GetProperty("env").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal("a=b\n$(touch /work/pwned)\u0001\u007f'\"", env["WEIRD"]);
        Assert.Equal(string.Empty, env["EMPTY"]);
        Assert.Equal("0", env["UID"]);
        Assert.Equal(["EMPTY", "HOME", "LANG", "PATH", "PWD", "SHELLOPTS_LIKE", "TMPDIR", "UID", "WEIRD"], env.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("/usr/local/bin:/usr/bin:/bin", env["PATH"]);

        var check = await RunWarmAsync(Sh("ls -A /work; echo done"));
        Assert.Equal("done\n", check.Stdout);
    }

    [Fact]
    public async Task Execute_ArgsAtThePolicyMaxima_RunWarm()
    {
        // 256 arguments (the default maximum; 254 of 1000 bytes), then one argument just under the kernel's 128 KiB.
        var many = Enumerable.Range(0, 254).Select(i => new string((char)('a' + (i % 26)), 1_000)).ToArray();
        var manyRequest = Py("import hashlib, sys; print(len(sys.argv) - 1, hashlib.sha256('\\0'.join(sys.argv[1:]).encode()).hexdigest())");
        manyRequest.Args.Add(many);
        var huge = new string('x', 131_071);
        var hugeRequest = Request("sh", "-c", "printf %s \"$1\" | wc -c", "sh", huge);

        var manyResult = await RunWarmAsync(manyRequest);
        var hugeResult = await RunWarmAsync(hugeRequest);

        Assert.Equal(RunStatus.Succeeded, manyResult.Status);
        Assert.Equal($"254 {Sha256(string.Join('\0', many))}\n", manyResult.Stdout);
        Assert.Equal(RunStatus.Succeeded, hugeResult.Status);
        Assert.Equal("131071\n", hugeResult.Stdout);
    }

    [Fact]
    public async Task Execute_ArgOverTheKernelLimit_StartsColdAndIsTheSameSandboxErrorAsCold()
    {
        // One argument of 200 KiB: within the policy (256 KiB in all), over the kernel's 128 KiB for one exec string.
        var request = Request("echo", new string('x', 200 * 1_024));
        var pool = Pooled.Pool!;
        var misses = pool.Misses;

        var warm = await Pooled.Client.ExecuteAsync(request);
        var cold = await hosts.Cold.Client.ExecuteAsync(request);

        Assert.Equal(RunStatus.SandboxError, cold.Status);
        Assert.Equal(cold.Status, warm.Status);
        Assert.Equal(cold.Error, warm.Error);
        Assert.Equal(misses + 1, pool.Misses);
        Assert.Empty(Pooled.Workdirs());
        Assert.Empty(Pooled.Cgroups());
    }

    [Fact]
    public async Task Execute_StdinWithNulsAndAMessageLookalike_ReachesTheCommandByteForByte()
    {
        // The run's stdin follows the helper's message on the same pipe: none of it may be eaten, none of the message seen.
        // Stdin is text: NULs, control bytes, multi-byte characters, up to the 1 MiB maximum.
        var random = new Random(7);
        var text = new StringBuilder("phoenix-run/1\01\0/work\00\00\0/usr/bin/id\0");
        for (var bytes = Encoding.UTF8.GetByteCount(text.ToString()); bytes < 1_000_000;)
        {
            var piece = random.Next(4) == 0 ? "é€\0\n\u0001" : ((char)random.Next(0, 128)).ToString();
            text.Append(piece);
            bytes += Encoding.UTF8.GetByteCount(piece);
        }

        var request = Request("sha256sum");
        request.Stdin = text.ToString();

        var result = await RunWarmAsync(request);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(Sha256(text.ToString()) + "  -\n", result.Stdout);

        var empty = await RunWarmAsync(Request("wc", "-c"));
        Assert.Equal("0\n", empty.Stdout);
    }

    [Fact]
    public async Task Execute_Warm_CommandHasOnlyStdioAndNoWaitingHelperNextToIt()
    {
        var result = await RunWarmAsync(Py("""
            import os
            print(sorted(os.listdir('/proc/self/fd')))
            for pid in sorted(p for p in os.listdir('/proc') if p.isdigit()):
                print(pid, open(f'/proc/{pid}/comm').read().strip(), repr(open(f'/proc/{pid}/environ', 'rb').read()) if pid == '1' else '')
            print(open('/proc/self/status').read().split('TracerPid:')[1].split()[0])
            """));

        Assert.Equal(RunStatus.Succeeded, result.Status);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // The python process has 0, 1, 2 and the directory it lists (os.listdir's own descriptor: 3).
        Assert.Equal("['0', '1', '2', '3']", lines[0]);

        // bubblewrap's init (empty environment) and the command: the helper became the command, nothing waits beside it.
        Assert.Equal(["1 bwrap b''", "2 python3"], lines[1..^1].Select(l => l.TrimEnd()));
        Assert.Equal("0", lines[^1]);
    }

    [Fact]
    public async Task Execute_NextRun_SeesNothingThePreviousLeft()
    {
        // The second run's sandbox was already waiting while the first ran (the pool keeps two).
        var first = await RunWarmAsync(Sh(
            "echo x > /work/x; echo y > /tmp/y; echo z > /dev/shm/z; mkdir -p /work/d && echo h > /work/.profile; " +
            "export LEAK=1; (setsid sleep 300 &); sleep 300 & kill -9 -1 2>/dev/null; echo planted"));
        Assert.True(first.Status is RunStatus.Succeeded or RunStatus.Killed, first.ToString());

        var second = await RunWarmAsync(Sh(
            "ls -A /work /tmp /dev/shm; echo ---; for p in /proc/[0-9]*; do read c < $p/comm; echo \"$c\"; done; echo ---; env | cut -d= -f1 | sort"));

        Assert.Equal(RunStatus.Succeeded, second.Status);
        var parts = second.Stdout.Split("---\n");
        Assert.Equal("/dev/shm:\n\n/tmp:\n\n/work:\n", parts[0]);
        Assert.Equal("bwrap\nsh\n", parts[1]);
        Assert.Equal("HOME\nLANG\nPATH\nPWD\nTMPDIR\n", parts[2]);
    }

    [Fact]
    public async Task Execute_LimitsAboveAndBelowTheWaitingOnes_AreTheRunsOwn()
    {
        // A warm sandbox waits with 64 MiB and 8 tasks; each run gets its own memory and process limits instead.
        var small = await RunWarmAsync(Py("s = 'x' * (48 << 20); print(len(s))", new Limits { MemoryMb = 32 }));
        var large = await RunWarmAsync(Py("s = 'x' * (150 << 20); print(len(s))", new Limits { MemoryMb = 256 }));
        var forks = await RunWarmAsync(Py(
            "import os\nn = 0\nfor _ in range(30):\n    try:\n        if os.fork() == 0:\n            import time; time.sleep(30); os._exit(0)\n        n += 1\n    except OSError:\n        pass\nprint(n, flush=True)\nos._exit(0)",
            new Limits { MaxProcesses = 20 }));

        Assert.Equal(RunStatus.MemoryLimit, small.Status);
        Assert.Equal(RunStatus.Succeeded, large.Status);
        Assert.Equal("157286400\n", large.Stdout);
        Assert.Equal(RunStatus.Succeeded, forks.Status);
        Assert.Equal("19\n", forks.Stdout);
    }

    [Fact]
    public async Task Execute_CpuTimeAndUsage_CountOnlyTheRun()
    {
        var idle = await RunWarmAsync(Request("true"));
        var busy = await RunWarmAsync(Sh("i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done", new Limits { TimeoutMs = 20_000 }));

        Assert.Equal(RunStatus.Succeeded, idle.Status);
        Assert.True(idle.Usage.CpuMs < busy.Usage.CpuMs, $"idle {idle.Usage.CpuMs} ms, busy {busy.Usage.CpuMs} ms");
        Assert.True(busy.Usage.CpuMs > 50, $"busy {busy.Usage.CpuMs} ms");
    }

    [Fact]
    public async Task Execute_CommandGoneAfterThePolicyResolvedIt_IsTheSameSandboxErrorAsCold()
    {
        // A tool in a directory bound into the sandbox, allowlisted, then deleted: the helper cannot start it.
        var tools = Path.Join("/var/lib/phoenix-tests", "tools-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(tools);
        File.SetUnixFileMode(tools, (UnixFileMode)0b111_101_101);
        var tool = Path.Join(tools, "mytool");
        await File.WriteAllTextAsync(tool, "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(tool, (UnixFileMode)0b111_101_101);
        var settings = new Dictionary<string, string?>
        {
            ["Phoenix:Executor:Sandbox:ReadOnlyBinds:0"] = "/usr",
            ["Phoenix:Executor:Sandbox:ReadOnlyBinds:1"] = "/etc/alternatives",
            ["Phoenix:Executor:Sandbox:ReadOnlyBinds:2"] = tools,
            ["Phoenix:Executor:Policy:SearchPaths:0"] = "/usr/bin",
            ["Phoenix:Executor:Policy:SearchPaths:1"] = tools,
            ["Phoenix:Executor:Policy:Commands:0"] = "mytool",
        };
        try
        {
            await using var warmHost = await ExecutorHost.StartAsync(new Dictionary<string, string?>(settings) { ["Phoenix:Executor:Sandbox:WarmPool:Size"] = "1" });
            await using var coldHost = await ExecutorHost.StartAsync(new Dictionary<string, string?>(settings) { ["Phoenix:Executor:Sandbox:WarmPool:Size"] = "0" });
            await warmHost.WaitForWarmPoolAsync();
            Assert.Equal("hi\n", (await warmHost.RunAsync("mytool")).Stdout);
            await warmHost.WaitForWarmPoolAsync();

            File.Delete(tool);
            var warm = await warmHost.RunAsync("mytool");
            var cold = await coldHost.RunAsync("mytool");

            Assert.Equal(RunStatus.SandboxError, cold.Status);
            Assert.Equal(cold.Status, warm.Status);
            Assert.Equal(cold.Error, warm.Error);
            Assert.Equal(string.Empty, warm.Stderr);
            Assert.Equal(2, warmHost.Pool!.Hits);
            Assert.Empty(warmHost.Workdirs());
            Assert.Empty(warmHost.Cgroups());
        }
        finally
        {
            Directory.Delete(tools, recursive: true);
        }
    }

    private static ExecuteRequest Request(string command, params string[] args)
    {
        var request = new ExecuteRequest { Command = command };
        request.Args.Add(args);
        return request;
    }

    private static ExecuteRequest Sh(string script, Limits? limits = null)
    {
        var request = Request("sh", "-c", script);
        request.Limits = limits;
        return request;
    }

    private static ExecuteRequest Py(string code, Limits? limits = null)
    {
        var request = Request("python3", "-c", code);
        request.Limits = limits;
        return request;
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Runs <paramref name="request"/> on the pooled host and asserts it ran in a warm sandbox.</summary>
    private async Task<ExecuteResult> RunWarmAsync(ExecuteRequest request)
    {
        var pool = Pooled.Pool!;
        var (hits, misses) = (pool.Hits, pool.Misses);

        var result = await Pooled.Client.ExecuteAsync(request, deadline: DateTime.UtcNow.AddMinutes(1));

        Assert.True(pool.Hits == hits + 1 && pool.Misses == misses, $"The run did not run warm (hits {hits} → {pool.Hits}, misses {misses} → {pool.Misses}).");
        Assert.Empty(Pooled.Workdirs());
        Assert.Empty(Pooled.Cgroups());
        return result;
    }

    /// <summary>Two executors with the same policy: one with a pool of two, one without.</summary>
    public sealed class Hosts : IAsyncLifetime
    {
        public ExecutorHost Pooled { get; private set; } = null!;

        public ExecutorHost Cold { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Pooled = await ExecutorHost.StartAsync(new Dictionary<string, string?> { ["Phoenix:Executor:Sandbox:WarmPool:Size"] = "2" });
            Cold = await ExecutorHost.StartAsync(new Dictionary<string, string?> { ["Phoenix:Executor:Sandbox:WarmPool:Size"] = "0" });
            await Pooled.WaitForWarmPoolAsync();
        }

        public async Task DisposeAsync()
        {
            await Pooled.DisposeAsync();
            await Cold.DisposeAsync();
        }
    }
}
