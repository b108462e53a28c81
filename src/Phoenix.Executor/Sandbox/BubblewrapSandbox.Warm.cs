using System.ComponentModel;
using System.Diagnostics;
using Phoenix.Executor.Policy;
using Phoenix.Executor.Sandbox.Pool;

namespace Phoenix.Executor.Sandbox;

// Warm sandboxes: the same launch chain (cgroup, tmpfs workdir, bash → prlimit → setpriv → bwrap, seccomp) started
// before a run is known, with the helper of WarmHelper as bubblewrap's command. A run then applies its own limits,
// writes its files and sends the helper its message; the sandbox is destroyed after that one run.
internal sealed partial class BubblewrapSandbox
{
    /// <summary>How long a warm sandbox may take until its helper waits; a slower one is destroyed.</summary>
    internal static readonly TimeSpan WarmStartTimeout = TimeSpan.FromSeconds(30);

    // Limits of a warm sandbox while it waits: enough for bubblewrap's monitor and init and the helper. A run replaces
    // them with its own before the helper gets the message.
    private const long WaitingMemoryBytes = 64 * 1_048_576L;
    private const int WaitingTasks = 8;
    private const int WaitingCpuPercent = 100;

    /// <summary>
    /// True when warm sandboxes can be made here: the helper's shell and <c>env</c> exist and are inside a read-only
    /// bind of the sandbox (the default binds <c>/usr</c>). Otherwise the pool stays empty and every run starts cold.
    /// </summary>
    public bool SupportsWarm { get; }

    /// <summary>A new, not yet started warm sandbox for <paramref name="shape"/>, named like a run.</summary>
    internal WarmSandbox NewWarm(SandboxShape shape)
    {
        var key = NewKey();
        return new WarmSandbox(key, shape, Path.Join(_root, key + ".status"), Path.Join(_root, key + ".args"));
    }

    /// <summary>
    /// Prepares <paramref name="warm"/> (cgroup with waiting limits, empty tmpfs workdir), launches the chain with the
    /// helper and waits until the helper says it waits. Returns (and sets <see cref="WarmSandbox.Ready"/> to) whether it
    /// did; whatever was made stays attached to <paramref name="warm"/> for <see cref="DestroyWarmAsync"/>.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (not ready).</exception>
    internal async Task<bool> StartWarmAsync(WarmSandbox warm, CancellationToken cancellationToken)
    {
        var ready = false;
        try
        {
            try
            {
                if (_cgroups)
                {
                    warm.Cgroup = CgroupV1.Create(_options.CgroupRoot, _options.CgroupParent, warm.Key, WaitingMemoryBytes, WaitingTasks, WaitingCpuPercent);
                }

                warm.Workdir = Workdir.CreateEmpty(_root, warm.Key, warm.Shape.WorkdirSizeMb, (uint)_options.HostUid, (uint)_options.HostGid, mount: _isRoot);
                var startInfo = BuildStartInfo(LaunchPlan.Warm(warm.Shape), warm.Workdir.Path, warm.Cgroup, warm.StatusPath, warm.ArgsPath);
                warm.Process = await ChildProcess.StartAsync(startInfo).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Win32Exception)
            {
                LogWarmSetupFailed(_logger, warm.Key, ex);
                return false;
            }

            ready = await ReadReadyAsync(warm.Process, cancellationToken).ConfigureAwait(false);
            if (!ready)
            {
                LogWarmNotReady(_logger, warm.Key, await ErrorOutputAsync(warm.Process).ConfigureAwait(false));
            }

            // bubblewrap has read its options long ago (before the helper could say it waits).
            File.Delete(warm.ArgsPath);
            return ready;
        }
        finally
        {
            warm.SetReady(ready);
        }
    }

    /// <summary>
    /// Runs <paramref name="run"/> in <paramref name="warm"/> (claimed by the caller, ready or still starting). Returns
    /// once every process of the sandbox is gone and the usage is read; the caller destroys the sandbox afterwards
    /// (<see cref="DestroyWarmAsync"/>: unmount, cgroup and files), off the run's path. Returns null when the run cannot
    /// use it (it failed to start or died, the run's memory limit is below what it already holds, its files do not
    /// fit, the call was cancelled first): the command has not started then, and the caller runs it cold.
    /// </summary>
    internal async Task<SandboxResult?> TryRunWarmAsync(WarmSandbox warm, RunSpec run, IOutputSink? output, CancellationToken cancellationToken)
    {
        var setup = _time.GetTimestamp();
        try
        {
            if (!await warm.Ready.WaitAsync(cancellationToken).ConfigureAwait(false) || warm.Process is not { HasExited: false })
            {
                return null;
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        var message = WarmHelper.Encode(run, LaunchPlan.CpuSecondsOf(run), LaunchPlan.DirectoryOf(run),
            [.. BaseEnvironment, .. run.Env, new("PWD", LaunchPlan.DirectoryOf(run))]);
        try
        {
            // Everything the run depends on is in place before the helper learns what to run.
            warm.Cgroup?.ApplyLimits(run.Limits.MemoryMb * 1_048_576L, run.Limits.MaxProcesses + 2, run.Limits.CpuPercent);
            warm.Workdir!.AddFiles(run);
            warm.Cgroup?.ResetAccounting();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogWarmUnusable(_logger, run.RunId, ex);
            return null;
        }

        var cgroup = warm.Cgroup;
        var startLatency = _time.GetElapsedTime(setup);
        var exit = await ChildProcess.SuperviseAsync(
            warm.Process, [message, run.Stdin ?? ReadOnlyMemory<byte>.Empty], run.Limits, output, process => Kill(process, cgroup), _time, cancellationToken)
            .ConfigureAwait(false);
        await SweepAsync(cgroup).ConfigureAwait(false);
        return Classify(run, exit, cgroup, started: true, startLatency, warm: true);
    }

    /// <summary>
    /// Kills everything of <paramref name="warm"/> (bubblewrap, then the cgroup's tasks), waits for bubblewrap to be
    /// reaped, and removes its workdir, cgroup and files. Safe to call more than once and on a half-started sandbox.
    /// </summary>
    internal async Task DestroyWarmAsync(WarmSandbox warm)
    {
        if (!warm.BeginDestroy())
        {
            return;
        }

        // The whole group first (frozen, so nothing forks or is left without its parent), then bubblewrap itself.
        warm.Cgroup?.KillAll();
        if (warm.Process is { } process)
        {
            Kill(process, warm.Cgroup);
            try
            {
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10), _time).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Left to the cgroup sweep below; the cgroup is reported if it cannot be removed.
            }

            process.Dispose();
        }

        await TeardownAsync(warm.Key, warm.Cgroup, warm.Workdir, warm.StatusPath, warm.ArgsPath).ConfigureAwait(false);
    }

    private async Task<bool> ReadReadyAsync(Process process, CancellationToken cancellationToken)
    {
        var buffer = new byte[1];
        var read = process.StandardOutput.BaseStream.ReadAsync(buffer, CancellationToken.None).AsTask();
        try
        {
            return await read.WaitAsync(WarmStartTimeout, _time, cancellationToken).ConfigureAwait(false) == 1 && buffer[0] == WarmHelper.ReadyByte;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The start of what a warm sandbox that failed wrote to stderr (bubblewrap's reason), once it has exited.</summary>
    private async Task<string> ErrorOutputAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                return string.Empty;
            }

            var text = await process.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(1), _time).ConfigureAwait(false);
            return text.Length > 512 ? text[..512] : text;
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or InvalidOperationException)
        {
            return string.Empty;
        }
    }

    private static bool CanHostHelper(IReadOnlyList<string> binds) =>
        new[] { WarmHelper.Shell, WarmHelper.Env }.All(path =>
            File.Exists(path) && binds.Any(bind => path.StartsWith(bind.TrimEnd('/') + "/", StringComparison.Ordinal)));

    [LoggerMessage(EventId = 3106, Level = LogLevel.Warning, Message = "Preparing warm sandbox {Key} failed")]
    private static partial void LogWarmSetupFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Warning, Message = "Warm sandbox {Key} did not become ready: {Stderr}")]
    private static partial void LogWarmNotReady(ILogger logger, string key, string stderr);

    [LoggerMessage(EventId = 3108, Level = LogLevel.Information, Message = "Run {RunId} cannot use its warm sandbox and starts cold")]
    private static partial void LogWarmUnusable(ILogger logger, string runId, Exception exception);
}
