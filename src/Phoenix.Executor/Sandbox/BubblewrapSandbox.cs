using System.Diagnostics;
using System.Globalization;
using Phoenix.Executor.Policy;
using Phoenix.Executor.Sandbox.Pool;
using Phoenix.Executor.Sandbox.Seccomp;

namespace Phoenix.Executor.Sandbox;

/// <summary>
/// The production sandbox. Each run: a cgroup (memory, pids, CPU quota), a private tmpfs workdir, then
/// <c>bash</c> (joins the cgroup, closes any descriptor it inherited, opens the seccomp program and the status
/// pipe, clears the environment) → <c>prlimit</c> (CPU time, file size, open files, no core) → <c>setpriv</c>
/// (drops to the dedicated unprivileged uid, no capabilities, no new privileges) → <c>bwrap</c> (new user, pid, net, ipc, uts,
/// cgroup and mount namespaces; read-only system directories; the workdir as the only writable place; a
/// size-capped /tmp; seccomp; no nested user namespaces). The timeout, an output flood or a cancellation
/// kills bubblewrap (its pid-namespace init dies with it, taking every process of the run) and sweeps
/// the cgroup; the cgroup and workdir are removed before the result is returned. The same launch chain, with a
/// waiting helper as bubblewrap's command, makes the warm sandboxes of the pool (<c>BubblewrapSandbox.Warm.cs</c>).
/// </summary>
internal sealed partial class BubblewrapSandbox : ISandbox
{
    // Joins the cgroup; closes every descriptor above 2 that reached it (the runtime opens some files without
    // close-on-exec, /proc/meminfo during a GC among them, and one opened on another thread between
    // MarkDescriptorsCloseOnExec and the fork is inherited); then opens the seccomp program (fd 3), the status file
    // (fd 4) and bubblewrap's option file (fd 5: the options, env values included, never appear in any process's
    // argv), and clears the environment so bubblewrap's own /proc/1/environ is empty. bash, not sh: dash cannot name
    // a descriptor above 9.
    private const string LaunchScript =
        "set -e; IFS=:; for f in $1; do echo $$ > \"$f\"; done; unset IFS; " +
        "for f in /proc/self/fd/*; do n=${f##*/}; case $n in *[!0-9]*|[0-2]) ;; *) exec {n}<&- ;; esac; done; " +
        "s=$2; j=$3; a=$4; shift 4; exec /usr/bin/env -i \"$@\" 3<\"$s\" 4>\"$j\" 5<\"$a\"";

    private readonly SandboxOptions _options;
    private readonly string _root;
    private readonly string _seccompPath;
    private readonly bool _cgroups;
    private readonly bool _isRoot;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string[] _systemBinds;

    /// <summary>The environment every command starts with, before the request's variables (which may not replace these).</summary>
    internal static readonly IReadOnlyList<KeyValuePair<string, string>> BaseEnvironment =
    [
        new("PATH", "/usr/local/bin:/usr/bin:/bin"), new("HOME", "/work"), new("TMPDIR", "/tmp"), new("LANG", "C.UTF-8"),
    ];

    public BubblewrapSandbox(SandboxOptions options, string root, TimeProvider time, ILogger<BubblewrapSandbox> logger)
    {
        _options = options;
        _root = root;
        _time = time;
        _logger = logger;
        _isRoot = Native.IsRoot;
        _cgroups = CgroupV1.IsAvailable(options.CgroupRoot);
        if (!File.Exists(options.BwrapPath))
        {
            throw new InvalidOperationException(
                $"bubblewrap was not found at {options.BwrapPath}. Install it (Debian: apt-get install -y bubblewrap), or set " +
                $"{SandboxOptions.SectionName}:Mode=Unsandboxed for development only.");
        }

        PrepareRoot(root);
        _seccompPath = Path.Join(root, ".seccomp.bpf");
        File.Delete(_seccompPath);
        SeccompFilter.WriteTo(_seccompPath);
        _systemBinds = options.ReadOnlyBindsOrDefault.Where(p => File.Exists(p) || Directory.Exists(p)).ToArray();
        if (!_cgroups)
        {
            LogNoCgroups(_logger, options.CgroupRoot);
        }

        SupportsWarm = CanHostHelper(_systemBinds);
    }

    public bool UsesCgroups => _cgroups;

    public async Task<SandboxResult> RunAsync(RunSpec run, IOutputSink? output, CancellationToken cancellationToken)
    {
        var key = NewKey();
        var setup = _time.GetTimestamp();
        var statusPath = Path.Join(_root, key + ".status");
        var argsPath = Path.Join(_root, key + ".args");
        CgroupV1? cgroup = null;
        Workdir? workdir = null;
        try
        {
            try
            {
                if (_cgroups)
                {
                    // bubblewrap's monitor and the namespace's init count as tasks too.
                    cgroup = CgroupV1.Create(_options.CgroupRoot, _options.CgroupParent, key,
                        run.Limits.MemoryMb * 1_048_576L, run.Limits.MaxProcesses + 2, run.Limits.CpuPercent);
                }

                workdir = Workdir.Create(_root, key, run, (uint)_options.HostUid, (uint)_options.HostGid, mount: _isRoot);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogSetupFailed(_logger, run.RunId, ex);
                return new SandboxResult { Outcome = RunOutcome.SandboxError, Error = "The sandbox could not be prepared." };
            }

            var startInfo = BuildStartInfo(LaunchPlan.For(run), workdir.Path, cgroup, statusPath, argsPath);
            var startLatency = _time.GetElapsedTime(setup);
            ChildExit exit;
            try
            {
                exit = await ChildProcess.RunAsync(startInfo, run.Stdin, run.Limits, output, process => Kill(process, cgroup), _time, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                LogSetupFailed(_logger, run.RunId, ex);
                return new SandboxResult { Outcome = RunOutcome.SandboxError, Error = "The sandbox could not be started." };
            }

            await SweepAsync(cgroup).ConfigureAwait(false);
            var started = File.Exists(statusPath) && File.ReadAllText(statusPath).Contains("\"child-pid\"", StringComparison.Ordinal);
            return Classify(run, exit, cgroup, started, startLatency, warm: false);
        }
        finally
        {
            await TeardownAsync(key, cgroup, workdir, statusPath, argsPath).ConfigureAwait(false);
        }
    }

    public void CleanUpStale() => CleanUpStale(keep: null);

    /// <summary>
    /// Removes the workdirs, per-run files and cgroups a crash left behind: every <c>run-*</c> entry, warm sandboxes of
    /// an earlier process included (they are named like runs), except the keys <paramref name="keep"/> accepts.
    /// </summary>
    public void CleanUpStale(Func<string, bool>? keep)
    {
        var removed = 0;
        foreach (var dir in Directory.EnumerateDirectories(_root, "run-*"))
        {
            if (keep?.Invoke(Path.GetFileName(dir)) == true)
            {
                continue;
            }

            Workdir.Remove(dir, maybeMounted: _isRoot);
            removed++;
        }

        foreach (var leftover in Directory.EnumerateFiles(_root, "run-*.status").Concat(Directory.EnumerateFiles(_root, "run-*.args")))
        {
            if (keep?.Invoke(Path.GetFileNameWithoutExtension(leftover)) != true)
            {
                File.Delete(leftover);
            }
        }

        if (_cgroups)
        {
            removed += CgroupV1.CleanUpStale(_options.CgroupRoot, _options.CgroupParent, keep);
        }

        if (removed > 0)
        {
            LogStaleRemoved(_logger, removed);
        }
    }

    /// <summary>
    /// The launch command line for <paramref name="plan"/>. bubblewrap's options go to <paramref name="argsPath"/>
    /// (written here, mode 0600, read on fd 5 via <c>--args</c>); only the command and its arguments stay on argv.
    /// </summary>
    internal ProcessStartInfo BuildStartInfo(LaunchPlan plan, string workdir, CgroupV1? cgroup, string statusPath, string argsPath)
    {
        var info = new ProcessStartInfo("/usr/bin/bash");
        info.Environment.Clear();
        var a = info.ArgumentList;
        a.Add("--noprofile");
        a.Add("--norc");
        a.Add("-c");
        a.Add(LaunchScript);
        a.Add("bash");
        a.Add(cgroup is null ? string.Empty : string.Join(':', cgroup.ProcsFiles));
        a.Add(_seccompPath);
        a.Add(statusPath);
        a.Add(argsPath);

        a.Add("/usr/bin/prlimit");
        a.Add(plan.CpuSeconds is { } cpuSeconds ? Invariant($"--cpu={cpuSeconds}") : "--cpu=unlimited");
        a.Add(Invariant($"--fsize={plan.Shape.MaxFileSizeMb * 1_048_576L}"));
        a.Add(Invariant($"--nofile={plan.Shape.MaxOpenFiles}"));
        a.Add("--core=0");
        a.Add("--");

        if (_isRoot)
        {
            a.Add("/usr/bin/setpriv");
            a.Add(Invariant($"--reuid={_options.HostUid}"));
            a.Add(Invariant($"--regid={_options.HostGid}"));
            a.Add("--clear-groups");
            a.Add("--inh-caps=-all");
            a.Add("--bounding-set=-all");
            a.Add("--no-new-privs");
            a.Add("--");
        }

        a.Add(_options.BwrapPath);
        a.Add("--args");
        a.Add("5");
        a.Add("--");
        foreach (var arg in plan.Command)
        {
            a.Add(arg);
        }

        WriteOptions(argsPath, BubblewrapOptions(plan, workdir));
        return info;
    }

    private List<string> BubblewrapOptions(LaunchPlan plan, string workdir)
    {
        var o = new List<string>
        {
            "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--disable-userns",
        };
        var uid = _options.SandboxUid.ToString(CultureInfo.InvariantCulture);
        o.AddRange(["--uid", uid, "--gid", uid, "--hostname", "sandbox"]);
        foreach (var path in _systemBinds)
        {
            o.AddRange(["--ro-bind", path, path]);
        }

        foreach (var dir in (string[])["bin", "lib", "lib64", "sbin"])
        {
            var host = "/" + dir;
            var target = new DirectoryInfo(host).LinkTarget;
            if (target is not null)
            {
                o.AddRange(["--symlink", target, host]);
            }
            else if (Directory.Exists(host))
            {
                o.AddRange(["--ro-bind", host, host]);
            }
        }

        var tmpBytes = Invariant($"{plan.Shape.TmpSizeMb * 1_048_576L}");
        o.AddRange(["--proc", "/proc", "--dev", "/dev"]);
        o.AddRange(["--size", tmpBytes, "--tmpfs", "/dev/shm", "--remount-ro", "/dev"]);
        o.AddRange(["--size", tmpBytes, "--tmpfs", "/tmp"]);
        o.AddRange(["--bind", workdir, "/work"]);
        o.AddRange(["--chdir", plan.Directory]);
        o.Add("--clearenv");
        foreach (var (name, value) in plan.Environment)
        {
            o.AddRange(["--setenv", name, value]);
        }

        o.AddRange(["--seccomp", "3", "--json-status-fd", "4"]);

        // Last: the root (and so /etc and every mount point on it) becomes read-only; /work, /tmp and /dev/shm stay writable.
        o.AddRange(["--remount-ro", "/"]);
        return o;
    }

    private static void WriteOptions(string path, List<string> options)
    {
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        foreach (var option in options)
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(option));
            stream.WriteByte(0);
        }
    }

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);

    private static string NewKey() => "run-" + Guid.NewGuid().ToString("N");

    /// <summary>Removes what a sandbox held: its workdir (unmounted), its cgroup (swept empty first) and its files.</summary>
    private async Task TeardownAsync(string key, CgroupV1? cgroup, Workdir? workdir, string statusPath, string argsPath)
    {
        workdir?.Dispose();
        if (cgroup is not null)
        {
            await SweepAsync(cgroup).ConfigureAwait(false);

            // A group whose last task has just gone can refuse rmdir (EBUSY) for a moment: retried for up to 100 ms.
            for (var attempt = 0; !cgroup.TryDelete(); attempt++)
            {
                if (attempt == 50)
                {
                    LogCgroupLeft(_logger, key);
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(2), _time).ConfigureAwait(false);
            }
        }

        File.Delete(statusPath);
        File.Delete(argsPath);
    }

    private static void Kill(Process process, CgroupV1? cgroup)
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
        }

        cgroup?.KillAll();
    }

    private async Task SweepAsync(CgroupV1? cgroup)
    {
        if (cgroup is null)
        {
            return;
        }

        // Polled every millisecond (the last tasks are usually gone within one or two), for a second at most.
        for (var i = 0; i < 1000 && cgroup.Tasks().Count > 0; i++)
        {
            cgroup.KillAll();
            await Task.Delay(TimeSpan.FromMilliseconds(1), _time).ConfigureAwait(false);
        }
    }

    private SandboxResult Classify(RunSpec run, ChildExit exit, CgroupV1? cgroup, bool started, TimeSpan startLatency, bool warm)
    {
        var usage = new RunUsage(
            (long)exit.Wall.TotalMilliseconds,
            (cgroup?.CpuNanoseconds ?? 0) / 1_000_000,
            cgroup?.PeakMemoryBytes ?? 0);
        var result = new SandboxResult
        {
            Outcome = RunOutcome.Failed,
            Stdout = exit.Stdout,
            Stderr = exit.Stderr,
            StdoutTruncated = exit.StdoutTruncated,
            StderrTruncated = exit.StderrTruncated,
            Usage = usage,
            StartLatency = startLatency,
        };

        if (exit.TimedOut)
        {
            return result with { Outcome = RunOutcome.TimedOut, BreachedLimit = "timeout", Signal = 9 };
        }

        if (exit.OutputOverflow)
        {
            return result with { Outcome = RunOutcome.OutputLimit, BreachedLimit = "output", Signal = 9 };
        }

        if (cgroup?.OomKills > 0)
        {
            return result with { Outcome = RunOutcome.MemoryLimit, BreachedLimit = "memory", Signal = 9 };
        }

        if (exit.Cancelled)
        {
            return result with { Outcome = RunOutcome.Killed, Signal = 9 };
        }

        // bubblewrap reports its own set-up failures on stderr as "bwrap: …" and exits 1; the status file's child-pid
        // is written before the child mounts anything, so it alone does not prove the command started. A warm
        // sandbox's helper reports a failure before its exec the same way with its own prefix. (A command can imitate
        // either to have its own failure reported as sandbox_error; it cannot do the reverse.)
        var setupFailed = exit.ExitCode == 1
            && (exit.Stderr.StartsWith("bwrap: ", StringComparison.Ordinal) || (warm && exit.Stderr.StartsWith(WarmHelper.ErrorPrefix, StringComparison.Ordinal)));
        if (!started || setupFailed)
        {
            LogNotStarted(_logger, run.RunId, exit.ExitCode, exit.Stderr.Length > 512 ? exit.Stderr[..512] : exit.Stderr);
            return result with { Outcome = RunOutcome.SandboxError, Stdout = string.Empty, Stderr = string.Empty, Error = "The sandbox failed to start the command." };
        }

        // bubblewrap exits with the command's status, or 128 + the signal that killed it.
        if (exit.ExitCode > 128 && exit.ExitCode < 128 + 65)
        {
            var signal = exit.ExitCode - 128;
            var limit = cgroup?.PidLimitHits > 0 ? "processes" : null;
            return result with { Outcome = RunOutcome.Killed, Signal = signal, BreachedLimit = limit };
        }

        return result with
        {
            Outcome = exit.ExitCode == 0 ? RunOutcome.Succeeded : RunOutcome.Failed,
            ExitCode = exit.ExitCode,
            BreachedLimit = cgroup?.PidLimitHits > 0 ? "processes" : null,
        };
    }

    private static void PrepareRoot(string root)
    {
        // Traversable by the sandbox uid (bubblewrap, running as that uid, binds the workdir from inside it), not
        // listable: 0711. Directories created here get 0711 whatever the umask; existing ancestors must let others
        // traverse, or every run would fail: say so at start instead.
        const UnixFileMode traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var missing = new Stack<string>();
        for (var dir = Path.GetFullPath(root); !Directory.Exists(dir); dir = Path.GetDirectoryName(dir)!)
        {
            missing.Push(dir);
        }

        foreach (var dir in missing)
        {
            Directory.CreateDirectory(dir, traversable);
            File.SetUnixFileMode(dir, traversable);
        }

        File.SetUnixFileMode(root, traversable);
        for (var dir = Path.GetDirectoryName(Path.GetFullPath(root)); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if ((File.GetUnixFileMode(dir) & UnixFileMode.OtherExecute) == 0)
            {
                throw new InvalidOperationException(
                    $"The sandbox root's parent {dir} is not traversable by the sandbox uid: run 'chmod o+x {dir}' or set {SandboxOptions.SectionName}:Root elsewhere.");
            }
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "cgroup v1 controllers are not available under {CgroupRoot} (or not root): memory, process and CPU limits fall back to rlimits only")]
    private static partial void LogNoCgroups(ILogger logger, string cgroupRoot);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "Preparing the sandbox of run {RunId} failed")]
    private static partial void LogSetupFailed(ILogger logger, string runId, Exception exception);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "The sandbox of run {RunId} did not start the command (exit {ExitCode}): {Stderr}")]
    private static partial void LogNotStarted(ILogger logger, string runId, int exitCode, string stderr);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Error, Message = "The cgroup of {Key} could not be removed: tasks remain")]
    private static partial void LogCgroupLeft(ILogger logger, string key);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "Removed {Count} workdir(s) and cgroup(s) left by an earlier run of the service")]
    private static partial void LogStaleRemoved(ILogger logger, int count);
}
