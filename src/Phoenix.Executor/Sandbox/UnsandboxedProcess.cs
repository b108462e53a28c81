using System.Diagnostics;
using Phoenix.Executor.Policy;

namespace Phoenix.Executor.Sandbox;

/// <summary>
/// Development only: runs the command as a plain child process with a cleared environment, a private
/// workdir and the same timeout, output cap and kill. No namespaces, no seccomp, no cgroup: nothing stops
/// the command from reading the host. Each run logs a security warning (UnsandboxedRun).
/// </summary>
internal sealed class UnsandboxedProcess(string root, TimeProvider time) : ISandbox
{
    public async Task<SandboxResult> RunAsync(RunSpec run, IOutputSink? output, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Workdir workdir;
        try
        {
            workdir = Workdir.Create(root, "run-" + Guid.NewGuid().ToString("N"), run, 0, 0, mount: false);
        }
        catch (IOException)
        {
            return new SandboxResult { Outcome = RunOutcome.SandboxError, Error = "The workdir could not be prepared." };
        }

        using (workdir)
        {
            var info = new ProcessStartInfo(run.CommandPath) { WorkingDirectory = Path.Join(workdir.Path, run.WorkingDirectory) };
            info.Environment.Clear();
            info.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
            info.Environment["HOME"] = workdir.Path;
            info.Environment["LANG"] = "C.UTF-8";
            foreach (var (name, value) in run.Env)
            {
                info.Environment[name] = value;
            }

            foreach (var arg in run.Args)
            {
                info.ArgumentList.Add(arg);
            }

            var exit = await ChildProcess.RunAsync(info, run.Stdin, run.Limits, output, KillTree, time, cancellationToken).ConfigureAwait(false);
            var result = new SandboxResult
            {
                Outcome = exit.ExitCode == 0 ? RunOutcome.Succeeded : RunOutcome.Failed,
                ExitCode = exit.ExitCode,
                Stdout = exit.Stdout,
                Stderr = exit.Stderr,
                StdoutTruncated = exit.StdoutTruncated,
                StderrTruncated = exit.StderrTruncated,
                Usage = new RunUsage((long)exit.Wall.TotalMilliseconds, 0, 0),
            };
            return exit switch
            {
                { TimedOut: true } => result with { Outcome = RunOutcome.TimedOut, ExitCode = null, Signal = 9, BreachedLimit = "timeout" },
                { OutputOverflow: true } => result with { Outcome = RunOutcome.OutputLimit, ExitCode = null, Signal = 9, BreachedLimit = "output" },
                { Cancelled: true } => result with { Outcome = RunOutcome.Killed, ExitCode = null, Signal = 9 },
                { ExitCode: > 128 and < 193 } => result with { Outcome = RunOutcome.Killed, ExitCode = null, Signal = exit.ExitCode - 128 },
                _ => result,
            };
        }
    }

    public void CleanUpStale()
    {
        if (Directory.Exists(root))
        {
            foreach (var dir in Directory.EnumerateDirectories(root, "run-*"))
            {
                Workdir.Remove(dir, maybeMounted: false);
            }
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
