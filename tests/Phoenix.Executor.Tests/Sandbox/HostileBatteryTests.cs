using System.Runtime.Versioning;
using Grpc.Core;
using Phoenix.Contracts.Executor;
using Phoenix.Executor.Tests.Sandbox.Hostile;
using Phoenix.Executor.Tests.Support;
using Xunit.Abstractions;

namespace Phoenix.Executor.Tests.Sandbox;

/// <summary>
/// The hostile battery: a real executor with real bubblewrap is attacked the way a malicious or broken
/// command would. Every case asserts its own outcome, then <see cref="AssertLeavesNothingAsync(ExecutorHost)"/>: no
/// process of the sandbox uid survives, the workdir and cgroup are gone, and the next run still works.
/// </summary>
/// <remarks>
/// No polling is needed after a run: the executor answers only after it has swept the run's cgroup
/// empty (freeze, SIGKILL, thaw, until no task is left); a cold run's cgroup and workdir are removed before the
/// answer too, a warm sandbox's right after it, by its pool, which counts the sandbox as its own until then. A task
/// leaves its cgroup in the kernel's exit path, and zombies are not counted, so by the time the answer
/// arrives nothing of the run may be alive. A survivor here is a real leak, not a race.
/// Processes of the sandbox uid are filtered by <see cref="SandboxSurvivors"/> only to ignore sandboxes
/// that another test process on the same machine is running at the same time, and the warm sandboxes a pool holds.
/// The battery runs in both modes (<see cref="HostileBatteryColdTests"/>, <see cref="HostileBatteryPooledTests"/>);
/// in the pooled one, every run it makes must have run in a warm sandbox.
/// </remarks>
[SupportedOSPlatform("linux")]
public abstract partial class HostileBatteryTests(HostileFixture fixture, ITestOutputHelper output)
{
    private const string Python = "python3";

    private ExecutorHost Host => fixture.Main;

    /// <summary>Nothing of the run is left, and the executor still serves an ordinary run.</summary>
    private static async Task AssertLeavesNothingAsync(ExecutorHost host)
    {
        SandboxSurvivors.AssertNone();
        Assert.Empty(host.Workdirs());
        Assert.Empty(host.Cgroups());

        var next = await host.RunAsync("echo", "ok");

        Assert.Equal(RunStatus.Succeeded, next.Status);
        Assert.Equal("ok\n", next.Stdout);
        SandboxSurvivors.AssertNone();
        Assert.Empty(host.Workdirs());
        Assert.Empty(host.Cgroups());
    }

    private Task AssertLeavesNothingAsync() => AssertLeavesNothingAsync(Host);

    private static ExecuteRequest Request(string command, Limits? limits, params string[] args)
    {
        var request = new ExecuteRequest { Command = command, Limits = limits };
        request.Args.Add(args);
        return request;
    }

    private static ExecuteRequest Sh(string script, Limits? limits = null) => Request("sh", limits, "-c", script);

    private static ExecuteRequest Py(string code, Limits? limits = null) => Request(Python, limits, "-c", code);

    private Task<ExecuteResult> ExecuteAsync(ExecuteRequest request) => ExecuteAsync(Host, request);

    /// <summary>
    /// Runs <paramref name="request"/>; the observed result goes to the test output, for the record. In the pooled
    /// mode a run that reached the sandbox must have run warm.
    /// </summary>
    private async Task<ExecuteResult> ExecuteAsync(ExecutorHost host, ExecuteRequest request)
    {
        var (hits, misses) = (host.Pool?.Hits ?? 0, host.Pool?.Misses ?? 0);
        var result = await host.Client.ExecuteAsync(request, deadline: DateTime.UtcNow.AddMinutes(1));
        output.WriteLine(Describe(result) + $" wall={result.Usage.WallMs}ms cpu={result.Usage.CpuMs}ms peak={result.Usage.PeakMemoryBytes}");
        if (fixture.Pooled)
        {
            Assert.True(host.Pool!.Hits == hits + 1 && host.Pool.Misses == misses, $"The run did not run warm (hits {hits} → {host.Pool.Hits}, misses {misses} → {host.Pool.Misses}).");
        }

        return result;
    }

    /// <summary>The call is refused with <paramref name="status"/> and a violation on <paramref name="field"/>.</summary>
    private async Task<Violation> AssertRefusedAsync(ExecuteRequest request, StatusCode status, string field, string code)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => ExecuteAsync(request));

        Assert.Equal(status, ex.StatusCode);
        var violations = ExecutorHost.Violations(ex).Violations;
        var violation = Assert.Single(violations, v => v.Field == field);
        Assert.Equal(code, violation.Code);
        return violation;
    }

    /// <summary>Free bytes of the disk that holds the sandbox root (/var/lib).</summary>
    private static long FreeDiskBytes() => new DriveInfo("/var/lib").AvailableFreeSpace;

    /// <summary>
    /// The host's disk did not absorb what the command wrote. Other processes share this disk (builds,
    /// logs), so the bound is loose: 100 MiB, well under the hundreds of MiB the cases try to write.
    /// </summary>
    private static void AssertDiskNotFilled(long freeBefore) =>
        Assert.True(freeBefore - FreeDiskBytes() < 100L * 1_048_576, $"The host disk lost {(freeBefore - FreeDiskBytes()) / 1_048_576} MiB during the run.");

    /// <summary>Asserts the run's status, showing the whole result when it differs.</summary>
    private static void AssertStatus(RunStatus expected, ExecuteResult result) =>
        Assert.True(result.Status == expected, $"Expected {expected}, got {Describe(result)}");

    private static string Describe(ExecuteResult result) =>
        $"status={result.Status} exit={(result.HasExitCode ? result.ExitCode : null)} signal={(result.HasSignal ? result.Signal : null)} " +
        $"stdout=[{Shorten(result.Stdout)}] stderr=[{Shorten(result.Stderr)}] error=[{result.Error}]";

    private static string Shorten(string text) => text.Length > 600 ? text[..600] + "…" : text;
}
