using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.Versioning;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Phoenix.Contracts.Executor;
using Phoenix.Executor.Policy;
using Phoenix.Executor.Runs;
using Phoenix.Executor.Tests.Support;
using Phoenix.Resilience.Configuration;

namespace Phoenix.Executor.Tests.Runs;

[SupportedOSPlatform("linux")]
public sealed class RunCoordinatorTests : IDisposable
{
    private static readonly string[] CgroupControllers = ["memory", "pids", "cpu", "cpuacct", "freezer"];

    private readonly string _scratch = Path.Join("/var/lib/phoenix-tests", "runs-" + Guid.NewGuid().ToString("N")[..12]);

    public RunCoordinatorTests() => Directory.CreateDirectory(_scratch);

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task ExecuteAsync_QueueFullWithNoQueue_ResourceExhaustedAtOnce()
    {
        await using var host = await ExecutorHost.StartAsync(Settings(("Phoenix:Executor:MaxConcurrentRuns", "1"), ("Phoenix:Executor:QueueLength", "0")));
        var coordinator = host.Services.GetRequiredService<RunCoordinator>();
        var first = host.Client.ExecuteAsync(Sleep("3")).ResponseAsync;
        await Eventually.TrueAsync(() => coordinator.InFlight == 1 || first.IsCompleted);

        var ex = await Assert.ThrowsAsync<RpcException>(() => host.RunAsync("echo", "second"));

        Assert.False(first.IsCompleted);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Equal(RunStatus.Succeeded, (await first).Status);
    }

    [Fact]
    public async Task ExecuteAsync_QueuedPastQueueTimeout_ResourceExhausted()
    {
        await using var host = await ExecutorHost.StartAsync(Settings(
            ("Phoenix:Executor:MaxConcurrentRuns", "1"),
            ("Phoenix:Executor:QueueLength", "1"),
            ("Phoenix:Executor:QueueTimeout", "00:00:00.5")));
        var coordinator = host.Services.GetRequiredService<RunCoordinator>();
        var first = host.Client.ExecuteAsync(Sleep("5")).ResponseAsync;
        await Eventually.TrueAsync(() => coordinator.InFlight == 1 || first.IsCompleted);

        var ex = await Assert.ThrowsAsync<RpcException>(() => host.RunAsync("echo", "queued"));

        Assert.False(first.IsCompleted);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Equal(RunStatus.Succeeded, (await first).Status);
    }

    [Fact]
    public async Task PolicyFile_Rewritten_NewPolicyAppliedAndInvalidOneRejected()
    {
        var policyFile = Path.Join(_scratch, "policy.json");
        WritePolicy(policyFile, """{"Phoenix":{"Executor":{"Policy":{"Commands":["echo"]}}}}""");
        await using var host = await ExecutorHost.StartAsync(Settings(("Phoenix:Executor:PolicyFile", policyFile)));
        var store = host.Services.GetRequiredService<PolicyStore>();
        var snapshot = host.Services.GetRequiredService<ReloadableSnapshot<PolicyOptions>>();

        var refused = await Assert.ThrowsAsync<RpcException>(() => host.ShAsync("echo hi"));
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal(RunStatus.Succeeded, (await host.RunAsync("echo", "allowed")).Status);

        WritePolicy(policyFile, """{"Phoenix":{"Executor":{"Policy":{"Commands":["echo","sh"]}}}}""");
        await Eventually.TrueAsync(() => store.Current.Commands.ContainsKey("sh"), seconds: 10);
        Assert.Equal("ok\n", (await host.ShAsync("echo ok")).Stdout);
        Assert.Equal(HealthStatus.Healthy, (await ConfigurationHealth(host)).Status);

        WritePolicy(policyFile, """{"Phoenix":{"Executor":{"Policy":{"Commands":["echo","sh"],"Defaults":{"TimeoutMs":120000},"Maxima":{"TimeoutMs":60000}}}}}""");
        await Eventually.TrueAsync(() => snapshot.LastRejection is not null, seconds: 10);

        Assert.Equal("still\n", (await host.ShAsync("echo still")).Stdout);
        Assert.Equal(10_000, store.Current.Options.Defaults.TimeoutMs);
        var health = await ConfigurationHealth(host);
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Contains("TimeoutMs", health.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyFile_InvalidJson_RejectedAndReportedInHealth()
    {
        var policyFile = Path.Join(_scratch, "policy.json");
        WritePolicy(policyFile, """{"Phoenix":{"Executor":{"Policy":{"Commands":["echo"]}}}}""");
        await using var host = await ExecutorHost.StartAsync(Settings(("Phoenix:Executor:PolicyFile", policyFile)));
        var store = host.Services.GetRequiredService<PolicyStore>();
        var snapshot = host.Services.GetRequiredService<ReloadableSnapshot<PolicyOptions>>();

        WritePolicy(policyFile, """{"Phoenix":{"Executor":{"Policy":{"Commands":["echo","sh" """);

        // An unparsable policy file is a rejected reload like any other: recorded, and health says so (DESIGN, Configuration).
        await Eventually.TrueAsync(() => snapshot.LastRejection is not null, seconds: 10);
        Assert.Equal(HealthStatus.Degraded, (await ConfigurationHealth(host)).Status);
        Assert.Equal(["echo"], store.Current.Commands.Keys.ToArray());
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => host.ShAsync("echo hi"))).StatusCode);
    }

    [Fact]
    public async Task PolicyFile_InvalidJsonThenAnotherSourceReloads_LastGoodPolicyStays()
    {
        var policyFile = Path.Join(_scratch, "policy.json");
        WritePolicy(policyFile, """{"Phoenix":{"Executor":{"Policy":{"Commands":["echo"]}}}}""");
        var other = new ReloadTriggerConfigurationProvider();
        await using var host = await ExecutorHost.StartAsync(
            Settings(("Phoenix:Executor:PolicyFile", policyFile)),
            builder => ((IConfigurationBuilder)builder.Configuration).Add(other));
        var store = host.Services.GetRequiredService<PolicyStore>();
        var snapshot = host.Services.GetRequiredService<ReloadableSnapshot<PolicyOptions>>();

        // A good edit first proves the file watcher is live, so the broken edit below is seen too.
        WritePolicy(policyFile, """{"Phoenix":{"Executor":{"Policy":{"Commands":["echo","true"]}}}}""");
        await Eventually.TrueAsync(() => store.Current.Commands.ContainsKey("true"), seconds: 10);
        var configuration = host.Services.GetRequiredService<IConfiguration>();
        WritePolicy(policyFile, "{ not json");
        await Eventually.TrueAsync(() => configuration["Phoenix:Executor:Policy:Commands:1"] is null || snapshot.LastRejection is not null, seconds: 10);

        other.Trigger();

        Assert.Equal(["echo", "true"], store.Current.Commands.Keys.Order(StringComparer.Ordinal));
        Assert.False(store.Current.Commands.ContainsKey("sh"));
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => host.ShAsync("echo hi"))).StatusCode);
    }

    [Fact]
    public async Task StopAsync_RunInFlight_CompletesSucceeded()
    {
        var host = await ExecutorHost.StartAsync();
        var coordinator = host.Services.GetRequiredService<RunCoordinator>();
        using var channel = GrpcChannel.ForAddress(host.Address);
        var client = new Contracts.Executor.Executor.ExecutorClient(channel);
        var call = client.ExecuteAsync(Sleep("1")).ResponseAsync;
        await Eventually.TrueAsync(() => coordinator.InFlight == 1 || call.IsCompleted);

        var stopping = host.DisposeAsync().AsTask();
        var result = await call;
        await stopping;

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task StopAsync_RunPastShutdownDeadline_KilledAndNothingLeft()
    {
        // The host's own shutdown timeout is far longer than the run: only the executor's deadline can end it early,
        // so a run that is not killed finishes Succeeded and fails the test (no timing assert needed).
        var host = await ExecutorHost.StartAsync(Settings(("Phoenix:Executor:ShutdownDeadline", "00:00:00.5"), ("Phoenix:ShutdownTimeoutSeconds", "120")));
        var coordinator = host.Services.GetRequiredService<RunCoordinator>();
        using var channel = GrpcChannel.ForAddress(host.Address);
        var client = new Contracts.Executor.Executor.ExecutorClient(channel);
        var marker = UniqueSleepSeconds();
        var request = Sleep(marker);
        request.Limits = new Limits { TimeoutMs = 60_000 };
        var call = client.ExecuteAsync(request).ResponseAsync;
        await Eventually.TrueAsync(() => coordinator.InFlight == 1 || call.IsCompleted);
        await Eventually.TrueAsync(() => ProcessesWithArgument(marker).Count > 0);

        var stopping = host.DisposeAsync().AsTask();
        ExecuteResult? result = null;
        RpcException? error = null;
        try
        {
            result = await call;
        }
        catch (RpcException ex)
        {
            error = ex;
        }

        await Eventually.TrueAsync(() => ProcessesWithArgument(marker).Count == 0 && host.Workdirs().Count == 0 && host.Cgroups().Count == 0);
        await stopping;

        if (result is not null)
        {
            Assert.Equal(RunStatus.Killed, result.Status);
        }
        else
        {
            Assert.Contains(error!.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Cancelled });
        }
    }

    [Fact]
    public async Task StartAsync_StaleWorkdirAndCgroups_RemovedWithoutFollowingSymlinks()
    {
        var root = Path.Join(_scratch, "sandbox");
        var parent = "phoenix-test-stale-" + Guid.NewGuid().ToString("N")[..8];
        var canary = Path.Join(_scratch, "canary");
        Directory.CreateDirectory(canary);
        File.WriteAllText(Path.Join(canary, "keep.txt"), "keep");
        var stale = Path.Join(root, "run-deadbeef");
        Directory.CreateDirectory(Path.Join(stale, "sub"));
        File.WriteAllText(Path.Join(stale, "sub", "left.txt"), "left over");
        File.CreateSymbolicLink(Path.Join(stale, "link"), canary);
        var cgroups = CgroupControllers.Select(c => Path.Join("/sys/fs/cgroup", c, parent, "run-deadbeef")).ToArray();
        foreach (var dir in cgroups)
        {
            Directory.CreateDirectory(dir);
        }

        try
        {
            await using (await ExecutorHost.StartAsync(Settings(("Phoenix:Executor:Sandbox:Root", root), ("Phoenix:Executor:Sandbox:CgroupParent", parent))))
            {
                Assert.False(Directory.Exists(stale));
                Assert.All(cgroups, dir => Assert.False(Directory.Exists(dir), dir));
                Assert.Equal("keep", File.ReadAllText(Path.Join(canary, "keep.txt")));
            }
        }
        finally
        {
            foreach (var dir in cgroups.Where(Directory.Exists))
            {
                Directory.Delete(dir);
            }

            foreach (var dir in CgroupControllers.Select(c => Path.Join("/sys/fs/cgroup", c, parent)).Where(Directory.Exists))
            {
                Directory.Delete(dir);
            }
        }
    }

    [Fact]
    public async Task ExecuteAsync_RunFinished_CountedInRunsMetricByStatus()
    {
        await using var host = await ExecutorHost.StartAsync();
        var scope = host.Services.GetRequiredService<IMeterFactory>();
        var measurements = new ConcurrentQueue<(long Value, string? Status)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Phoenix.Executor" && instrument.Name == "phoenix.executor.runs" && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? status = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "phoenix.run.status")
                {
                    status = tag.Value as string;
                }
            }

            measurements.Enqueue((value, status));
        });
        listener.Start();

        await host.RunAsync("true");
        await host.RunAsync("false");

        Assert.Contains((1L, "succeeded"), measurements);
        Assert.Contains((1L, "failed"), measurements);
    }

    [Fact]
    public async Task ExecuteAsync_Unsandboxed_RunsAndLogsUnsandboxedRunSecurityEvent()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = await ExecutorHost.StartAsync(
            Settings(("Phoenix:Executor:Sandbox:Mode", "Unsandboxed")),
            builder => builder.Logging.AddProvider(logs));

        var result = await host.RunAsync("echo", "plain");

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("plain\n", result.Stdout);
        var entry = Assert.Single(logs.Entries, e => e.Category == "Phoenix.Security" && e.EventId.Id == 5009);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal("UnsandboxedRun", entry.EventId.Name);
    }

    [Fact]
    public async Task StartAsync_BubblewrapMissing_ThrowsSayingHowToInstallIt()
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => ExecutorHost.StartAsync(Settings(("Phoenix:Executor:Sandbox:BwrapPath", "/nonexistent/bwrap"))));

        var messages = string.Join(" | ", Chain(ex).Select(e => e.Message));
        Assert.Contains("/nonexistent/bwrap", messages, StringComparison.Ordinal);
        Assert.Contains("apt-get install -y bubblewrap", messages, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_InvalidPolicy_ThrowsOptionsValidationExceptionListingTheError()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => ExecutorHost.StartAsync(Settings(("Phoenix:Executor:Policy:Defaults:TimeoutMs", "0"))));

        Assert.Contains(ex.Failures, f => f.Contains("TimeoutMs", StringComparison.Ordinal));
    }

    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.Ordinal);

    private static ExecuteRequest Sleep(string seconds)
    {
        var request = new ExecuteRequest { Command = "sleep" };
        request.Args.Add(seconds);
        return request;
    }

    /// <summary>A sleep duration of about 30 s that no other process on the machine has in its command line.</summary>
    private static string UniqueSleepSeconds() =>
        "30." + Random.Shared.NextInt64(100_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static IReadOnlyList<int> ProcessesWithArgument(string argument) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => (Dir: d, Ok: int.TryParse(Path.GetFileName(d), out var pid), Pid: pid))
            .Where(p => p.Ok && CommandLine(p.Dir).Contains(argument))
            .Select(p => p.Pid)
            .ToArray();

    private static string[] CommandLine(string procDir)
    {
        try
        {
            return File.ReadAllText(Path.Join(procDir, "cmdline")).Split('\0');
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static void WritePolicy(string path, string json)
    {
        // Atomic replace, as an operator (or a ConfigMap update) would do it.
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        File.WriteAllText(temp, json);
        File.Move(temp, path, overwrite: true);
    }

    private static async Task<HealthReportEntry> ConfigurationHealth(ExecutorHost host)
    {
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries["configuration"];
    }

    private static IEnumerable<Exception> Chain(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }
}
