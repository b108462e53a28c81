using System.Diagnostics;
using System.Runtime.InteropServices;
using Phoenix.Cli.Common;
using Phoenix.Resilience.Supervision;
using Spectre.Console;

namespace Phoenix.Cli.Up;

/// <summary>
/// One service as a supervised worker: runs the child process until it exits (a crash: the supervisor restarts it
/// with backoff, and the crash is shown) or until <c>phoenix up</c> stops (SIGTERM, then SIGKILL after the grace).
/// Output goes to the service's log file.
/// </summary>
internal sealed partial class ServiceWorker(ServiceLaunch launch, CliConsole console, TimeSpan grace, Func<Task>? beforeStop = null) : ISupervisedWorker
{
    private int _starts;
    private volatile Process? _process;

    public string Name => launch.Name;

    /// <summary>The running child's pid, or null.</summary>
    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>Completes when the child has stopped for good after a stop was asked for.</summary>
    public TaskCompletionSource Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        if (Interlocked.Increment(ref _starts) > 1)
        {
            console.Err.MarkupLine($"[yellow]↻[/] restarting the {Markup.Escape(Name)}");
        }

        var (process, log) = Start();
        using var _ = process;
        await using var __ = log;
        _process = process;
        try
        {
            await process.WaitForExitAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await StopAsync(process);
            Stopped.TrySetResult();
            throw;
        }
        finally
        {
            _process = null;
        }

        var tail = Tail(launch.LogFile, 8);
        console.Err.MarkupLine($"[red]✗ the {Markup.Escape(Name)} exited unexpectedly (exit code {process.ExitCode}); log: {Markup.Escape(launch.LogFile)}[/]");
        foreach (var line in tail)
        {
            console.Err.MarkupLine($"[grey]  {Markup.Escape(line)}[/]");
        }

        throw new ServiceCrashedException($"The {Name} exited with code {process.ExitCode}.");
    }

    private (Process Process, StreamWriter Log) Start()
    {
        var info = new ProcessStartInfo(launch.FileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in launch.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in launch.Variables)
        {
            info.Environment[key] = value;
        }

        var log = new StreamWriter(new FileStream(launch.LogFile, new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            Share = FileShare.ReadWrite,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var gate = new Lock();
        void Write(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (gate)
            {
                try
                {
                    log.WriteLine(line);
                }
                catch (ObjectDisposedException)
                {
                    // a last line after the process was reaped
                }
            }
        }

        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, log);
    }

    private async Task StopAsync(Process process)
    {
        if (beforeStop is not null)
        {
            await beforeStop();
        }

        if (process.HasExited)
        {
            return;
        }

        _ = Kill(process.Id, 15);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            console.Err.MarkupLine($"[yellow]the {Markup.Escape(Name)} did not stop within {grace.TotalSeconds:0} s; killing it[/]");
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static string[] Tail(string path, int lines)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return [.. reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines)];
        }
        catch (IOException)
        {
            return [];
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

/// <summary>A service process exited without being asked to.</summary>
internal sealed class ServiceCrashedException(string message) : Exception(message);
