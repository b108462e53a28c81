using System.Collections.Concurrent;
using System.Runtime.Versioning;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Phoenix.Contracts.Executor;
using Phoenix.Executor.Sandbox;
using Phoenix.Executor.Sandbox.Pool;
using Phoenix.Hosting;

namespace Phoenix.Executor.Tests.Support;

/// <summary>
/// A real executor: Kestrel on an ephemeral loopback port, real bubblewrap sandboxes, a real gRPC client.
/// Each host has its own sandbox root (under /var/lib, never /tmp) and its own cgroup parent, both removed
/// on dispose. Needs root (cgroups, tmpfs mounts) and bubblewrap, as on CI.
/// The warm pool is on as by default (2) unless a test sets <c>Phoenix:Executor:Sandbox:WarmPool:Size</c>; the
/// listings of workdirs, cgroups and run files leave out the sandboxes the pool holds (waiting, starting or being
/// destroyed), which are no run's.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ExecutorHost : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<ExecutorHost, bool> Live = new();
    private static readonly ConcurrentDictionary<string, bool> Parents = new(StringComparer.Ordinal);
    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;
    private bool _stopped;

    private ExecutorHost(WebApplication app, GrpcChannel channel, string root, string cgroupParent, Uri address)
    {
        _app = app;
        _channel = channel;
        SandboxRoot = root;
        CgroupParent = cgroupParent;
        Address = address;
        Client = new Contracts.Executor.Executor.ExecutorClient(channel);
    }

    public Contracts.Executor.Executor.ExecutorClient Client { get; }

    public string SandboxRoot { get; }

    public string CgroupParent { get; }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<ExecutorHost> StartAsync(IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        if (!File.Exists("/usr/bin/bwrap"))
        {
            throw new InvalidOperationException("bubblewrap is required for the executor tests: apt-get install -y bubblewrap (./test.sh installs it).");
        }

        var id = Guid.NewGuid().ToString("N")[..12];
        var root = Path.Join("/var/lib/phoenix-tests", id);
        var cgroupParent = "phoenix-test-" + id;
        var config = new Dictionary<string, string?>
        {
            ["Phoenix:Executor:Listen"] = "http://127.0.0.1:0",
            ["Phoenix:Executor:MetricsListen"] = string.Empty,
            ["Phoenix:Executor:MaxConcurrentRuns"] = "2",
            ["Phoenix:Executor:QueueLength"] = "4",
            ["Phoenix:Executor:Sandbox:Root"] = root,
            ["Phoenix:Executor:Sandbox:CgroupParent"] = cgroupParent,
            ["Phoenix:Logging:Format"] = "text",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        Directory.CreateDirectory("/var/lib/phoenix-tests");
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(config);
        builder.AddServiceDefaults();
        builder.AddExecutorServices();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapExecutor();
        await app.StartAsync();

        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var channel = GrpcChannel.ForAddress(address);
        var effective = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SandboxOptions>>().Value;
        var host = new ExecutorHost(app, channel, effective.Root ?? root, effective.CgroupParent, address);
        Parents[host.CgroupParent] = true;
        Live[host] = true;
        return host;
    }

    /// <summary>The warm pool, or null in unsandboxed mode.</summary>
    internal WarmSandboxPool? Pool => (Services.GetRequiredService<ISandbox>() as PooledSandbox)?.Pool;

    /// <summary>Waits until the warm pool holds as many ready sandboxes as it aims to (at once when it is off).</summary>
    public async Task WaitForWarmPoolAsync()
    {
        if (Pool is { } pool)
        {
            await Eventually.TrueAsync(() => pool.Available >= pool.TargetSize, seconds: 60);
        }
    }

    /// <summary>The cgroup parents of every executor this process started (live or not): its runs' groups are below them.</summary>
    public static IReadOnlyCollection<string> CgroupParentsUsed() => Parents.Keys.ToArray();

    /// <summary>
    /// The cgroup paths (relative to a hierarchy's root, as in <c>/proc/PID/cgroup</c>) of the sandboxes the warm pools
    /// of every live host in this process hold: their processes are waiting helpers, no run's survivors.
    /// </summary>
    public static IReadOnlySet<string> PooledCgroupPaths() =>
        Live.Keys.SelectMany(h => h.PoolKeys().Select(k => "/" + h.CgroupParent + "/" + k)).ToHashSet(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="command"/> with <paramref name="args"/> and returns the result.</summary>
    public async Task<ExecuteResult> RunAsync(string command, params string[] args)
    {
        var request = new ExecuteRequest { Command = command };
        request.Args.Add(args);
        return await Client.ExecuteAsync(request, deadline: DateTime.UtcNow.AddMinutes(2));
    }

    /// <summary>Runs <c>sh -c script</c>.</summary>
    public Task<ExecuteResult> ShAsync(string script) => RunAsync("sh", "-c", script);

    /// <summary>Workdirs of runs currently present under the sandbox root (with <paramref name="pooled"/>, the pool's too).</summary>
    public IReadOnlyList<string> Workdirs(bool pooled = false) =>
        Directory.Exists(SandboxRoot) ? NotPooled(Directory.EnumerateDirectories(SandboxRoot, "run-*"), pooled, Path.GetFileName) : [];

    /// <summary>Per-run files (status, bubblewrap options) still present under the sandbox root (with <paramref name="pooled"/>, the pool's too).</summary>
    public IReadOnlyList<string> RunFiles(bool pooled = false) =>
        Directory.Exists(SandboxRoot) ? NotPooled(Directory.EnumerateFiles(SandboxRoot, "run-*"), pooled, Path.GetFileNameWithoutExtension) : [];

    /// <summary>Run cgroups currently present under this host's parent group, any controller (with <paramref name="pooled"/>, the pool's too).</summary>
    public IReadOnlyList<string> Cgroups(bool pooled = false) =>
        NotPooled(
            new[] { "memory", "pids", "cpu", "cpuacct", "freezer" }
                .Select(c => Path.Join("/sys/fs/cgroup", c, CgroupParent))
                .Where(Directory.Exists)
                .SelectMany(Directory.GetDirectories),
            pooled,
            Path.GetFileName);

    /// <summary>Mount points under the sandbox root (the workdirs' tmpfs mounts), from this process's mount table.</summary>
    public IReadOnlyList<string> Mounts() =>
        File.ReadLines("/proc/self/mountinfo")
            .Select(l => l.Split(' ')[4])
            .Where(m => m.StartsWith(SandboxRoot + "/", StringComparison.Ordinal))
            .ToArray();

    /// <summary>Live processes in any cgroup under this host's parent group (runs' and the pool's alike).</summary>
    public IReadOnlyList<int> CgroupProcesses() =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && PidsCgroup(pid) is { } group && group.StartsWith("/" + CgroupParent + "/", StringComparison.Ordinal))
            .ToArray();

    /// <summary>The pids cgroup of <paramref name="pid"/> (<c>/parent/key</c>), or null if it is gone.</summary>
    public static string? PidsCgroup(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/cgroup").FirstOrDefault(l => l.Split(':')[1] == "pids");
            return line?[(line.IndexOf(":/", StringComparison.Ordinal) + 1)..];
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Stops the executor (the pool drains); the sandbox root and cgroup parent stay until dispose, to be inspected.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            Live.TryRemove(this, out _);
            _channel.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>Live host processes running as the sandbox's host uid (61000): none may outlive a run.</summary>
    public static IReadOnlyList<int> SandboxUidProcesses() =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => (Dir: d, Ok: int.TryParse(Path.GetFileName(d), out var pid), Pid: pid))
            .Where(p => p.Ok && OwnedBySandboxUid(p.Dir))
            .Select(p => p.Pid)
            .ToArray();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        foreach (var controller in new[] { "memory", "pids", "cpu", "cpuacct", "freezer" })
        {
            var dir = Path.Join("/sys/fs/cgroup", controller, CgroupParent);
            if (Directory.Exists(dir))
            {
                foreach (var child in Directory.GetDirectories(dir))
                {
                    Directory.Delete(child);
                }

                Directory.Delete(dir);
            }
        }

        if (Directory.Exists(SandboxRoot))
        {
            Directory.Delete(SandboxRoot, recursive: true);
        }
    }

    private IReadOnlyCollection<string> PoolKeys() => _stopped ? [] : Pool?.OwnedKeys ?? [];

    /// <summary>
    /// <paramref name="paths"/> (listed now) less those of sandboxes the pool holds. The pool starts and destroys
    /// sandboxes while the listing runs, so its keys are read before and after it: a path is the pool's when it was
    /// the pool's at either moment (a sandbox started during the listing, or one whose destruction ended during it).
    /// </summary>
    private string[] NotPooled(IEnumerable<string> paths, bool pooled, Func<string, string?> key)
    {
        if (pooled)
        {
            return [.. paths];
        }

        var before = PoolKeys();
        var listed = paths.ToArray();
        var after = PoolKeys();
        return listed.Where(p => !before.Contains(key(p)) && !after.Contains(key(p))).ToArray();
    }

    private static bool OwnedBySandboxUid(string procDir)
    {
        try
        {
            // Zombies (exited, waiting for the host's init to reap them) run nothing and hold nothing: not counted.
            var status = File.ReadAllLines(Path.Join(procDir, "status"));
            var state = status.FirstOrDefault(l => l.StartsWith("State:", StringComparison.Ordinal)) ?? string.Empty;
            var uidLine = status.FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            return !state.Contains('Z', StringComparison.Ordinal) && !state.Contains('X', StringComparison.Ordinal)
                && uidLine is not null && uidLine.Split('\t', StringSplitOptions.RemoveEmptyEntries).Skip(1).Any(u => u == "61000");
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The violations a refused call carried in its trailer.</summary>
    public static ValidateResponse Violations(RpcException exception)
    {
        var entry = exception.Trailers.Get("phoenix-violations-bin") ?? throw new InvalidOperationException("No violations trailer.");
        return ValidateResponse.Parser.ParseFrom(entry.ValueBytes);
    }
}
