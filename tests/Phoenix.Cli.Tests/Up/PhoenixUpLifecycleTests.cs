using Phoenix.Cli.Tests.Support;
using Phoenix.Testing;

namespace Phoenix.Cli.Tests.Up;

/// <summary><c>phoenix up</c> supervising its services: a crash is shown and repaired; Ctrl-C stops everything. One instance per test.</summary>
public sealed class PhoenixUpLifecycleTests : IAsyncLifetime
{
    private readonly RunningPhoenix _phoenix = new();

    public Task InitializeAsync() => _phoenix.InitializeAsync();

    [Fact]
    public async Task Up_GatewayKilled_IsRestartedAndTheCrashShown()
    {
        var gateway = _phoenix.ChildPids().Single(pid => RunningPhoenix.CommandLine(pid).Contains("Phoenix.Gateway.dll", StringComparison.Ordinal));

        _ = Kill(gateway, Signals.Kill);

        await _phoenix.Up.WaitForOutputAsync("the gateway exited unexpectedly", TimeSpan.FromSeconds(30));
        await _phoenix.Up.WaitForOutputAsync("restarting the gateway", TimeSpan.FromSeconds(30));
        await RunningPhoenix.Eventually(async () => (await PhoenixCli.RunAsync(["exec", "-q", "--", "true"], _phoenix.CliEnvironment)).ExitCode == 0, "the restarted gateway to serve");
        Assert.Equal(2, _phoenix.ChildPids().Length);
    }

    [Fact]
    public async Task Up_CtrlC_StopsBothServicesAndLeavesNoSandboxBehind()
    {
        var children = _phoenix.ChildPids();
        Assert.Equal(2, children.Length);
        var slow = PhoenixCli.RunAsync(["exec", "-q", "--", "sleep", "2"], _phoenix.CliEnvironment);
        await Task.Delay(500);

        _phoenix.Up.Signal(Signals.Int);

        Assert.True(await _phoenix.Up.WaitForExitAsync(TimeSpan.FromSeconds(90)), _phoenix.Up.Tail());
        Assert.Equal(0, _phoenix.Up.ExitCode);
        Assert.Contains(_phoenix.Up.Lines, l => l.Contains("Phoenix stopped.", StringComparison.Ordinal));
        Assert.All(children, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} survived: {RunningPhoenix.CommandLine(pid)}"));
        await slow;
        Assert.Empty(_phoenix.RunLeftovers());
    }

    [Fact]
    public async Task Up_SigTerm_StopsCleanlyLikeCtrlC()
    {
        var children = _phoenix.ChildPids();

        _phoenix.Up.Signal(Signals.Term);

        Assert.True(await _phoenix.Up.WaitForExitAsync(TimeSpan.FromSeconds(90)), _phoenix.Up.Tail());
        Assert.Equal(0, _phoenix.Up.ExitCode);
        Assert.All(children, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} survived"));
    }

    public Task DisposeAsync() => _phoenix.DisposeAsync();

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
