using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Phoenix.Contracts.Executor;
using Phoenix.Executor;
using Phoenix.Executor.Policy;
using Phoenix.Executor.Sandbox;
using Phoenix.Executor.Sandbox.Pool;
using Phoenix.Hosting;

namespace Phoenix.Benchmarks;

/// <summary>
/// <c>/bin/true</c> four ways, each with 1 and 2 parallel callers (p50, p99, runs/s), in one run:
/// plain fork+exec (the machine's limit); the executor's launch chain (bash → prlimit → setpriv → bwrap, same options
/// and seccomp program) run bare in a bash loop, without cgroup and tmpfs (the cold reference); gRPC <c>Execute</c>
/// with the warm pool off (cold); and <c>Execute</c> with the pool, back to back (callers never wait: under
/// saturation each run still costs a sandbox start, in the background) and paced (each call made when a warm
/// sandbox is ready: what a run sees on an executor that is not saturated). Target: pool p50 ≤ 0.5× bare bwrap p50.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class ExecutorBenchmark
{
    private const int PoolSize = 2;

    public static async Task<int> RunAsync(int iterations)
    {
        var root = Path.Join("/var/lib/phoenix-bench", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        File.SetUnixFileMode(root, (UnixFileMode)0b111_001_001);
        await using var cold = await Executor.StartAsync(root, "cold", poolSize: 0);
        await using var pooled = await Executor.StartAsync(root, "pooled", PoolSize);

        var scripts = await WriteLoopsAsync(root, cold.App.Services);
        var rows = new List<(string Name, Measurement One, Measurement Two)>();

        // Warm every path first (JIT, page cache, gRPC connections).
        await BashLoopAsync(scripts.Bare, 20);
        await BashLoopAsync(scripts.ForkExec, 20);
        await cold.CallAsync(20);
        await pooled.CallAsync(20);
        await pooled.WaitForPoolAsync(PoolSize);

        rows.Add(("fork+exec /bin/true (machine limit)", await BashAsync(scripts.ForkExec, iterations, 1), await BashAsync(scripts.ForkExec, iterations, 2)));
        rows.Add(("bare bwrap chain, cold (reference)", await BashAsync(scripts.Bare, iterations, 1), await BashAsync(scripts.Bare, iterations, 2)));
        rows.Add(("Execute, pool off (cold)", await CallersAsync(cold, iterations, 1), await CallersAsync(cold, iterations, 2)));
        await pooled.WaitForPoolAsync(PoolSize);
        rows.Add(("Execute, pool, back to back", await CallersAsync(pooled, iterations, 1), await CallersAsync(pooled, iterations, 2)));
        await pooled.WaitForPoolAsync(PoolSize);
        var (hits, misses) = (pooled.Pool.Hits, pooled.Pool.Misses);
        rows.Add(("Execute, pool, paced (warm hit)", await PacedAsync(pooled, iterations, 1), await PacedAsync(pooled, iterations, 2)));
        var pacedWarm = pooled.Pool.Hits - hits;
        var pacedCold = pooled.Pool.Misses - misses;

        await cold.DisposeAsync();
        await pooled.DisposeAsync();
        Directory.Delete(root, recursive: true);

        Console.WriteLine();
        Console.WriteLine($"| /bin/true, {iterations} runs per caller | p50 ms (1) | p99 ms (1) | runs/s (1) | p50 ms (2) | p99 ms (2) | runs/s (2) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, one, two) in rows)
        {
            Console.WriteLine($"| {name} | {one} | {two} |");
        }

        var bare = rows[1];
        var coldRow = rows[2];
        var paced = rows[4];
        Console.WriteLine();
        Console.WriteLine(Invariant($"Ratios to the bare bwrap chain (p50, 1 caller / 2 callers): Execute cold {coldRow.One.P50 / bare.One.P50:F2}× / {coldRow.Two.P50 / bare.Two.P50:F2}×, Execute pool (warm hit) {paced.One.P50 / bare.One.P50:F2}× / {paced.Two.P50 / bare.Two.P50:F2}×."));
        Console.WriteLine(Invariant($"Target: pool p50 ≤ 0.5× bare bwrap p50 (1 caller): {(paced.One.P50 <= 0.5 * bare.One.P50 ? "met" : "NOT met")}. Paced runs: {pacedWarm} warm, {pacedCold} cold."));
        Console.WriteLine("Paced rows wait (untimed) until the pool is full and idle before each call or pair of calls (an executor that is not saturated), so their runs/s is not a throughput; back-to-back rows never wait (each run still costs one sandbox start, in the background).");
        return 0;
    }

    /// <summary>Writes the two bash loops; each prints one latency in microseconds per run (bash's own clock, no fork to read it).</summary>
    private static async Task<(string Bare, string ForkExec)> WriteLoopsAsync(string root, IServiceProvider services)
    {
        // The bare loop runs the command line the sandbox builds for a cold run of /bin/true (without the per-run cgroup and tmpfs).
        var sandbox = services.GetRequiredService<BubblewrapSandbox>();
        var policy = services.GetRequiredService<PolicyStore>().Current;
        var spec = RequestValidator.Check(new RunRequest { Command = "true" }, policy, () => "bench").Run!;
        var workdir = Path.Join(root, "bare");
        Directory.CreateDirectory(workdir);
        var options = services.GetRequiredService<IOptions<SandboxOptions>>().Value;
        _ = Native.Lchown(workdir, (uint)options.HostUid, (uint)options.HostGid);
        var info = sandbox.BuildStartInfo(LaunchPlan.For(spec), workdir, cgroup: null, Path.Join(root, "bare.status"), Path.Join(root, "bare.args"));
        var commandLine = string.Join(' ', new[] { info.FileName }.Concat(info.ArgumentList).Select(Quote));

        var bare = Path.Join(root, "bare-loop.sh");
        var forkExec = Path.Join(root, "fork-exec-loop.sh");
        await File.WriteAllTextAsync(bare, Loop(commandLine));
        await File.WriteAllTextAsync(forkExec, Loop("/bin/true"));
        return (bare, forkExec);

        static string Loop(string command) =>
            "#!/bin/bash\nfor ((i=0; i<$1; i++)); do s=${EPOCHREALTIME/./}; " + command +
            " >/dev/null 2>&1 </dev/null; e=${EPOCHREALTIME/./}; echo $((e - s)); done\n";
    }

    private static async Task<Measurement> BashAsync(string script, int count, int callers)
    {
        var started = Stopwatch.GetTimestamp();
        var latencies = await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => BashLoopAsync(script, count)));
        return Measurement.Of(latencies.SelectMany(l => l).ToList(), Stopwatch.GetElapsedTime(started));
    }

    private static async Task<List<double>> BashLoopAsync(string script, int count)
    {
        var info = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(count.ToString(CultureInfo.InvariantCulture));
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => double.Parse(l, CultureInfo.InvariantCulture) / 1000).ToList();
    }

    private static async Task<Measurement> CallersAsync(Executor executor, int count, int callers)
    {
        var started = Stopwatch.GetTimestamp();
        var latencies = await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => executor.CallAsync(count)));
        return Measurement.Of(latencies.SelectMany(l => l).ToList(), Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// Rounds of <paramref name="callers"/> concurrent calls, each round started once the pool is full and idle (every
    /// sandbox ready, none being destroyed or started): what a run sees on an executor that is not saturated.
    /// </summary>
    private static async Task<Measurement> PacedAsync(Executor executor, int count, int callers)
    {
        var latencies = new List<double>(count * callers);
        for (var i = 0; i < count; i++)
        {
            await executor.WaitForPoolAsync(PoolSize, idle: true);
            foreach (var round in await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => executor.CallAsync(1))))
            {
                latencies.AddRange(round);
            }
        }

        return Measurement.Of(latencies, elapsed: null);
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Latencies of one row and cell (ms), and the throughput when the callers never waited.</summary>
    private sealed record Measurement(double P50, double P99, double? RunsPerSecond)
    {
        public static Measurement Of(List<double> latencies, TimeSpan? elapsed)
        {
            var sorted = latencies.Order().ToArray();
            return new Measurement(At(0.50), At(0.99), elapsed is { } e ? sorted.Length / e.TotalSeconds : null);

            double At(double p) => sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(p * sorted.Length) - 1)];
        }

        public override string ToString() =>
            Invariant($"{P50:F2} | {P99:F2} | ") + (RunsPerSecond is { } r ? Invariant($"{r:F1}") : "-");
    }

    /// <summary>An in-process executor (its own sandbox root and cgroup parent) and a gRPC client to it.</summary>
    private sealed class Executor : IAsyncDisposable
    {
        private readonly GrpcChannel _channel;
        private readonly string _cgroupParent;
        private bool _disposed;

        private Executor(WebApplication app, GrpcChannel channel, string cgroupParent)
        {
            App = app;
            _channel = channel;
            _cgroupParent = cgroupParent;
            Client = new Contracts.Executor.Executor.ExecutorClient(channel);
        }

        public WebApplication App { get; }

        public Contracts.Executor.Executor.ExecutorClient Client { get; }

        public WarmSandboxPool Pool => ((PooledSandbox)App.Services.GetRequiredService<ISandbox>()).Pool;

        public static async Task<Executor> StartAsync(string root, string name, int poolSize)
        {
            var cgroupParent = "phoenix-bench-" + name;
            var builder = WebApplication.CreateBuilder();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Phoenix:Executor:Listen"] = "http://127.0.0.1:0",
                ["Phoenix:Executor:MetricsListen"] = string.Empty,
                ["Phoenix:Executor:MaxConcurrentRuns"] = "2",
                ["Phoenix:Executor:Sandbox:Root"] = Path.Join(root, name),
                ["Phoenix:Executor:Sandbox:CgroupParent"] = cgroupParent,
                ["Phoenix:Executor:Sandbox:WarmPool:Size"] = poolSize.ToString(CultureInfo.InvariantCulture),
            });
            builder.AddServiceDefaults();
            builder.Logging.ClearProviders();
            builder.AddExecutorServices();
            var app = builder.Build();
            app.MapExecutor();
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new Executor(app, GrpcChannel.ForAddress(address), cgroupParent);
        }

        /// <summary><paramref name="count"/> sequential calls of <c>/bin/true</c>; their latencies in ms.</summary>
        public async Task<List<double>> CallAsync(int count)
        {
            var latencies = new List<double>(count);
            for (var i = 0; i < count; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var result = await Client.ExecuteAsync(new ExecuteRequest { Command = "true" });
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (result.Status != RunStatus.Succeeded)
                {
                    throw new InvalidOperationException($"Benchmark run failed: {result.Status} {result.Error} {result.Stderr}");
                }
            }

            return latencies;
        }

        /// <summary>Waits until <paramref name="ready"/> sandboxes are ready; with <paramref name="idle"/>, also until the pool holds nothing else (none starting or being destroyed).</summary>
        public async Task WaitForPoolAsync(int ready, bool idle = false)
        {
            var started = Stopwatch.GetTimestamp();
            while (Pool.Available < ready || (idle && Pool.OwnedKeys.Count > Pool.Available))
            {
                if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromMinutes(1))
                {
                    throw new InvalidOperationException("The warm pool did not fill within a minute (is bash under a read-only bind?).");
                }

                await Task.Delay(2);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _channel.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
            foreach (var controller in new[] { "memory", "pids", "cpu", "cpuacct", "freezer" })
            {
                var parent = Path.Join("/sys/fs/cgroup", controller, _cgroupParent);
                if (Directory.Exists(parent))
                {
                    Directory.Delete(parent);
                }
            }
        }
    }
}
