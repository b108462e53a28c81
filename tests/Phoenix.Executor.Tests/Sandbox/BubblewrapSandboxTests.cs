using System.Runtime.Versioning;
using Phoenix.Contracts.Executor;
using Phoenix.Executor.Tests.Support;

namespace Phoenix.Executor.Tests.Sandbox;

[SupportedOSPlatform("linux")]
public sealed class BubblewrapSandboxTests
{
    [Fact]
    public async Task Start_RootUnderNonTraversableParent_RefusesWithChmodHint()
    {
        var parent = Path.Join("/var/lib/phoenix-tests", "closed-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(parent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var ex = await Assert.ThrowsAnyAsync<Exception>(() => ExecutorHost.StartAsync(new Dictionary<string, string?>
            {
                ["Phoenix:Executor:Sandbox:Root"] = Path.Join(parent, "sandbox"),
            }));

            Assert.Contains($"chmod o+x {parent}", ex.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public async Task Start_RootWithMissingAncestors_CreatesThemTraversableWhateverTheUmask()
    {
        var top = Path.Join("/var/lib/phoenix-tests", "deep-" + Guid.NewGuid().ToString("N")[..8]);
        var root = Path.Join(top, "a", "b", "sandbox");
        try
        {
            await using var host = await ExecutorHost.StartAsync(new Dictionary<string, string?> { ["Phoenix:Executor:Sandbox:Root"] = root });

            var result = await host.ShAsync("echo ok");

            Assert.Equal(RunStatus.Succeeded, result.Status);
            Assert.Equal(UnixFileMode.OtherExecute, File.GetUnixFileMode(Path.Join(top, "a")) & UnixFileMode.OtherExecute);
        }
        finally
        {
            Directory.Delete(top, recursive: true);
        }
    }

    [Fact]
    public async Task Execute_BubblewrapCannotSetUp_IsSandboxErrorWithoutHostDetail()
    {
        // A bind source inside a 0700 directory: bubblewrap, running as the unprivileged sandbox uid, cannot reach it.
        var closed = Path.Join("/var/lib/phoenix-tests", "closed-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Join(closed, "inner"));
        File.SetUnixFileMode(closed, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var host = await ExecutorHost.StartAsync(new Dictionary<string, string?>
        {
            ["Phoenix:Executor:Sandbox:ReadOnlyBinds:0"] = "/usr",
            ["Phoenix:Executor:Sandbox:ReadOnlyBinds:1"] = Path.Join(closed, "inner"),
        });

        var result = await host.ShAsync("echo never");
        Directory.Delete(closed, recursive: true);

        Assert.Equal(RunStatus.SandboxError, result.Status);
        Assert.Equal(string.Empty, result.Stderr);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.DoesNotContain("/var/lib", result.Error, StringComparison.Ordinal);
        Assert.Empty(host.Workdirs());
    }
}
