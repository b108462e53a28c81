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
using Phoenix.Hosting;

namespace Phoenix.Benchmarks;

/// <summary>
/// <c>/bin/true</c> through the executor's gRPC <c>Execute</c> against the same launch chain
/// (sh → prlimit → setpriv → bwrap, same flags and seccomp program) run bare in a shell loop, in one run:
/// sequential p50/p99 and throughput with 2 parallel callers. Targets: latency ≤ 1.3×, throughput ≥ 0.75× of bare.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class ExecutorBenchmark
{
    public static async Task<int> RunAsync(int iterations)
    {
        var root = Path.Join("/var/lib/phoenix-bench", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Phoenix:Executor:Listen"] = "http://127.0.0.1:0",
            ["Phoenix:Executor:MetricsListen"] = string.Empty,
            ["Phoenix:Executor:MaxConcurrentRuns"] = "2",
            ["Phoenix:Executor:Sandbox:Root"] = Path.Join(root, "sandbox"),
            ["Phoenix:Executor:Sandbox:CgroupParent"] = "phoenix-bench",
        });
        builder.AddServiceDefaults();
        builder.Logging.ClearProviders();
        builder.AddExecutorServices();
        await using var app = builder.Build();
        app.MapExecutor();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var channel = GrpcChannel.ForAddress(address);
        var client = new Contracts.Executor.Executor.ExecutorClient(channel);

        // The bare loop runs the same command line the sandbox builds (without the per-run cgroup and tmpfs).
        var sandbox = (BubblewrapSandbox)app.Services.GetRequiredService<ISandbox>();
        var policy = app.Services.GetRequiredService<PolicyStore>().Current;
        var spec = RequestValidator.Check(new RunRequest { Command = "true" }, policy, () => "bench").Run!;
        var bareWorkdir = Path.Join(root, "bare");
        Directory.CreateDirectory(bareWorkdir);
        var options = app.Services.GetRequiredService<IOptions<SandboxOptions>>().Value;
        File.SetUnixFileMode(root, (UnixFileMode)0b111_001_001);
        _ = Native.Lchown(bareWorkdir, (uint)options.HostUid, (uint)options.HostGid);
        var info = sandbox.BuildStartInfo(spec, bareWorkdir, cgroup: null, Path.Join(root, "bare.status"), Path.Join(root, "bare.args"));
        var commandLine = string.Join(' ', new[] { info.FileName }.Concat(info.ArgumentList).Select(Quote));
        var script = Path.Join(root, "bare-loop.sh");
        await File.WriteAllTextAsync(script,
            "#!/bin/bash\nfor ((i=0; i<$1; i++)); do s=$(date +%s%N); " + commandLine + " >/dev/null 2>&1 </dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000 )); done\n");

        // Warm both paths.
        await SequentialGrpcAsync(client, 20);
        await BareAsync(script, 20);

        var grpcSequential = await SequentialGrpcAsync(client, iterations);
        var bareSequential = await BareAsync(script, iterations);
        var grpcStopwatch = Stopwatch.StartNew();
        await Task.WhenAll(SequentialGrpcAsync(client, iterations), SequentialGrpcAsync(client, iterations));
        var grpcThroughput = 2 * iterations / grpcStopwatch.Elapsed.TotalSeconds;
        var bareStopwatch = Stopwatch.StartNew();
        await Task.WhenAll(BareAsync(script, iterations), BareAsync(script, iterations));
        var bareThroughput = 2 * iterations / bareStopwatch.Elapsed.TotalSeconds;

        await app.StopAsync();
        Directory.Delete(root, recursive: true);
        foreach (var controller in new[] { "memory", "pids", "cpu", "cpuacct", "freezer" })
        {
            var parent = Path.Join("/sys/fs/cgroup", controller, "phoenix-bench");
            if (Directory.Exists(parent))
            {
                Directory.Delete(parent);
            }
        }

        var g50 = Percentile(grpcSequential, 0.50);
        var g99 = Percentile(grpcSequential, 0.99);
        var b50 = Percentile(bareSequential, 0.50);
        var b99 = Percentile(bareSequential, 0.99);
        Console.WriteLine();
        Console.WriteLine($"| /bin/true, {iterations} runs | p50 (ms) | p99 (ms) | runs/s, 2 callers |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine(Row("bare bwrap loop (reference)", b50, b99, bareThroughput));
        Console.WriteLine(Row("executor Execute over gRPC", g50, g99, grpcThroughput));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| ratio executor / bare | {g50 / b50:F2}× | {g99 / b99:F2}× | {grpcThroughput / bareThroughput:F2}× |"));
        Console.WriteLine();
        Console.WriteLine("Targets: latency ≤ 1.3× bare, throughput ≥ 0.75× bare.");
        return 0;
    }

    private static async Task<List<double>> SequentialGrpcAsync(Contracts.Executor.Executor.ExecutorClient client, int count)
    {
        var latencies = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var result = await client.ExecuteAsync(new ExecuteRequest { Command = "true" });
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (result.Status != RunStatus.Succeeded)
            {
                throw new InvalidOperationException($"Benchmark run failed: {result.Status} {result.Error} {result.Stderr}");
            }
        }

        return latencies;
    }

    private static async Task<List<double>> BareAsync(string script, int count)
    {
        var info = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(count.ToString(CultureInfo.InvariantCulture));
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => double.Parse(l, CultureInfo.InvariantCulture) / 1000).ToList();
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(p * sorted.Length) - 1)];
    }

    private static string Row(string name, double p50, double p99, double throughput) =>
        string.Create(CultureInfo.InvariantCulture, $"| {name} | {p50:F2} | {p99:F2} | {throughput:F1} |");

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
