using Phoenix.Contracts.Executor;

namespace Phoenix.Executor.Tests.Sandbox;

// Reading what belongs to the host: files, the service's environment.
public abstract partial class HostileBatteryTests
{
    [Theory]
    [InlineData("/etc/shadow")]
    [InlineData("/root")]
    [InlineData("/var/lib/phoenix-tests")]
    [InlineData("/home")]
    public async Task Execute_ReadHostPath_IsNotVisible(string path)
    {
        var result = await ExecuteAsync(Request("ls", null, "-la", path));

        AssertStatus(RunStatus.Failed, result);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Contains("No such file or directory", result.Stderr, StringComparison.Ordinal);
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_ReadShadow_IsAbsent()
    {
        var result = await ExecuteAsync(Request("cat", null, "/etc/shadow"));

        AssertStatus(RunStatus.Failed, result);
        Assert.Equal(string.Empty, result.Stdout);
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_ReadServiceEnvironmentThroughProc_DoesNotLeakIt()
    {
        // The executor runs in this process: a variable set here is in the service's environment.
        const string name = "PHOENIX_HOSTILE_CANARY";
        var canary = "canary-" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, canary);
        try
        {
            await using var host = await fixture.StartHostAsync();

            var result = await ExecuteAsync(host, Sh(
                "for p in /proc/[0-9]*; do echo \"$p\"; tr '\\0' '\\n' < $p/environ; done; env; cat /proc/self/mountinfo"));

            AssertStatus(RunStatus.Succeeded, result);
            Assert.DoesNotContain(canary, result.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain(name, result.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain(canary, result.Stderr, StringComparison.Ordinal);
            await AssertLeavesNothingAsync(host);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public async Task Execute_ProcOneEnviron_IsEmpty()
    {
        // Pid 1 inside is bubblewrap itself, started with an empty environment.
        var result = await ExecuteAsync(Request("cat", null, "/proc/1/environ"));

        AssertStatus(RunStatus.Succeeded, result);
        Assert.Equal(string.Empty, result.Stdout);
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_Env_ShowsOnlyTheSandboxVariablesAndTheRequestedOnes()
    {
        var request = Request("env", null);
        request.Env.Add("GREETING", "hello");

        var result = await ExecuteAsync(request);

        AssertStatus(RunStatus.Succeeded, result);
        var names = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=')[0]).Order(StringComparer.Ordinal);
        // PWD is set by bubblewrap's --chdir: it names the sandbox's own working directory, nothing of the host.
        Assert.Equal(["GREETING", "HOME", "LANG", "PATH", "PWD", "TMPDIR"], names);
        Assert.Contains("GREETING=hello\n", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("PWD=/work\n", result.Stdout, StringComparison.Ordinal);
        await AssertLeavesNothingAsync();
    }
}
