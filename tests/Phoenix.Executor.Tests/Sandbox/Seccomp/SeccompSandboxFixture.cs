using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.Versioning;
using Phoenix.Executor.Sandbox.Seccomp;

namespace Phoenix.Executor.Tests.Sandbox.Seccomp;

/// <summary>
/// Writes the seccomp program to a temporary file once and runs commands in the real bubblewrap
/// with it on fd 3 (or, for control runs, without it). .NET's <see cref="Process"/> cannot hand
/// an extra descriptor to a child, so <c>/bin/sh</c> opens the file as fd 3 and execs bwrap.
/// </summary>
/// <remarks>
/// Processes are started from one dedicated thread that lives as long as the fixture: Linux sends
/// the <c>--die-with-parent</c> signal (PR_SET_PDEATHSIG) when the <em>thread</em> that forked bwrap
/// exits, and <see cref="Process.Start()"/> forks from the calling thread, so a bwrap started from a
/// thread-pool thread is SIGKILLed (exit code 137) whenever the pool retires that thread.
/// </remarks>
[SupportedOSPlatform("linux")]
public sealed class SeccompSandboxFixture : IDisposable
{
    public const string BwrapPath = "/usr/bin/bwrap";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly DirectoryInfo _directory;
    private readonly BlockingCollection<Action> _spawnQueue = [];
    private readonly Thread _spawner;

    public SeccompSandboxFixture()
    {
        _directory = Directory.CreateTempSubdirectory("phoenix-seccomp-tests-");
        FilterPath = Path.Combine(_directory.FullName, "seccomp.bpf");
        SeccompFilter.WriteTo(FilterPath);
        _spawner = new Thread(() =>
        {
            foreach (var spawn in _spawnQueue.GetConsumingEnumerable())
            {
                spawn();
            }
        })
        {
            IsBackground = true,
            Name = "seccomp-tests-spawner",
        };
        _spawner.Start();
    }

    public string FilterPath { get; }

    internal Task<SandboxResult> RunAsync(params string[] command) => RunAsync(withFilter: true, command);

    internal async Task<SandboxResult> RunAsync(bool withFilter, params string[] command)
    {
        Assert.True(
            File.Exists(BwrapPath),
            $"bubblewrap is required for the seccomp tests but {BwrapPath} does not exist; install it (apt-get install bubblewrap, as test.sh does).");

        var psi = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment.Clear();
        foreach (var argument in BuildArguments(withFilter, command))
        {
            psi.ArgumentList.Add(argument);
        }

        using var process = await StartOnSpawnerThreadAsync(psi);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(Timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            return new SandboxResult(process.ExitCode, await stdout, await stderr);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The sandboxed command did not finish within {Timeout}: {string.Join(' ', command)}");
        }
    }

    public void Dispose()
    {
        _spawnQueue.CompleteAdding();
        _spawner.Join();
        _spawnQueue.Dispose();
        _directory.Delete(recursive: true);
    }

    private Task<Process> StartOnSpawnerThreadAsync(ProcessStartInfo psi)
    {
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _spawnQueue.Add(() =>
        {
            try
            {
                started.SetResult(Process.Start(psi) ?? throw new InvalidOperationException("/bin/sh did not start."));
            }
            catch (Exception ex)
            {
                started.SetException(ex);
            }
        });
        return started.Task;
    }

    private IEnumerable<string> BuildArguments(bool withFilter, string[] command)
    {
        // sh -c '...' sh <filter> bwrap ...: $1 is the filter, the rest is the bwrap command line.
        yield return "-c";
        yield return "f=$1; shift; exec \"$@\" 3<\"$f\"";
        yield return "sh";
        yield return FilterPath;
        yield return BwrapPath;
        string[] options =
        [
            "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--uid", "1000", "--gid", "1000", "--disable-userns",
            "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
            "--symlink", "usr/lib64", "/lib64", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
            "--clearenv", "--setenv", "PATH", "/usr/bin:/bin",
        ];
        foreach (var option in options)
        {
            yield return option;
        }

        if (withFilter)
        {
            yield return "--seccomp";
            yield return "3";
        }

        yield return "--";
        foreach (var part in command)
        {
            yield return part;
        }
    }
}
